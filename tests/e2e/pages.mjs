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
