// What the end-to-end tests do on the app's pages, as a person would: open a page, fill
// Create, press Generate, find tasks in Activity. Shared so each test file says only what
// it checks.
import { byTestId, waitFor } from "./harness.mjs";

/** Opens a page from the sidebar and waits for it. */
export async function navigate(browser, page) {
  await (await browser.$(byTestId(`nav-${page}`))).click();
  await (await browser.$(byTestId(`page-${page}`))).waitForExist({ timeout: 5000 });
}

/** Opens Create with `model` picked, no references left from earlier, and `prompt` typed. */
export async function startCreate(browser, model, prompt) {
  await navigate(browser, "create");
  const picker = await browser.$(byTestId("model-picker"));
  await picker.waitForEnabled({ timeout: 30_000 });
  await picker.selectByAttribute("value", model);
  await waitFor(`the form of ${model}`, async () => (await picker.getValue()) === model);
  for (;;) {
    const remove = await browser.$(byTestId("reference-remove"));
    if (!(await remove.isExisting())) break;
    await remove.click();
  }
  const box = await browser.$(byTestId("prompt"));
  await box.clearValue();
  await box.setValue(prompt);
  await waitFor("the prompt in the draft", async () => (await box.getValue()) === prompt);
}

/** Sets the Batch as a person would end an edit of the field (WebKitWebDriver cannot clear
 * a number input, so the value is set and the field's change event fired). */
export async function setBatch(browser, n) {
  await (await browser.$(byTestId("batch"))).waitForExist({ timeout: 10_000 });
  await browser.execute((value) => {
    const input = document.querySelector('[data-testid="batch"]');
    input.value = String(value);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }, n);
  await waitFor(`Batch ${n}`, async () => (await (await browser.$(byTestId("batch"))).getValue()) === String(n));
}

/** Presses Generate once it is enabled. */
export async function generate(browser) {
  const button = await browser.$(byTestId("generate"));
  await waitFor("Generate to be enabled", async () => button.isEnabled(), 30_000);
  await button.click();
}

/** The Activity rows whose prompt contains `words`: the element, task id, state and
 * whether the row says refunded. */
export async function taskRows(browser, words) {
  const found = [];
  for (const row of await browser.$$(byTestId("task-row"))) {
    const prompt = ((await (await row.$(byTestId("task-prompt"))).getProperty("textContent")) ?? "").trim();
    if (!prompt.includes(words)) continue;
    found.push({
      row,
      id: await row.getAttribute("data-task-id"),
      state: await row.getAttribute("data-state"),
      refunded: await (await row.$(byTestId("task-refunded"))).isExisting(),
    });
  }
  return found;
}

/**
 * Waits for Create's price of this form, `model` at Batch `batch`, and returns its text. The
 * quote names what it priced (data-model, data-batch) and stays shown while the next one
 * loads (data-state "loading"), so a price left from an earlier form never passes.
 */
export async function waitForQuote(browser, model, batch, timeoutMs = 30_000) {
  return waitFor(
    `the quote of ${model} at Batch ${batch}`,
    async () => {
      const quote = await browser.execute(() => {
        const el = document.querySelector('[data-testid="quote"]');
        return el && { state: el.dataset.state, model: el.dataset.model, batch: el.dataset.batch, text: el.textContent.replace(/\s+/g, " ").trim() };
      });
      return quote?.state === "ready" && quote.model === model && quote.batch === String(batch) ? quote.text : false;
    },
    timeoutMs,
  );
}

/** The credits a quote's text starts with ("16 credits · 484 left after (2 × 8)" → 16). */
export const quotedCredits = (text) => Number(text.match(/^([\d,]+) credits?\b/)?.[1].replace(/,/g, "") ?? Number.NaN);

/**
 * Waits for the header to show the balance of `profileId` (data-profile-id), not the one of
 * the profile shown before a switch, and returns its text. `expected`: the exact text, or a
 * RegExp; any number by default.
 */
export async function waitForBalance(browser, profileId, expected = /^[\d,]+$/, timeoutMs = 30_000) {
  const selector = `[data-testid="balance-value"][data-profile-id="${profileId}"]`;
  return waitFor(
    `the balance of ${profileId} to show ${expected}`,
    async () => {
      const el = await browser.$(selector);
      if (!(await el.isExisting())) return false;
      const shown = ((await el.getProperty("textContent")) ?? "").trim();
      return (typeof expected === "string" ? shown === expected : expected.test(shown)) ? shown : false;
    },
    timeoutMs,
  );
}

/** A <select>'s chosen option: its value and its own text (the select's text is every option's). */
export async function selectedOption(browser, selector) {
  return browser.execute((sel) => {
    const select = document.querySelector(sel);
    const option = select?.selectedOptions[0];
    return option ? { value: select.value, text: option.textContent.trim() } : null;
  }, selector);
}
