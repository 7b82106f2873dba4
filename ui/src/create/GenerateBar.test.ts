// Quote and Generate: loading, affordable, unaffordable, estimate, error, the disabled
// reason, stale replies, and what a (partly) refused batch says.
import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/svelte";
import { tick } from "svelte";
import { appError, emptyDraft, type FakeBackend } from "../testing/fakeBackend";
import { renderCreate } from "../testing/studio";
import type { QuoteView } from "../lib/bindings/QuoteView";
import type { Draft } from "../lib/bindings/Draft";
import { submitSentence } from "./composeStore.svelte";
import { IpcError } from "../lib/ipc";

const ready = (over: Partial<Draft> = {}): Draft => ({
  ...emptyDraft(),
  model: "nano-banana-pro",
  scene: "text-to-image",
  prompt: "A lighthouse at dusk",
  ...over,
});

const open = (setup: (backend: FakeBackend) => void = () => undefined, draft = ready()) => renderCreate(draft, setup);

const quote = () => screen.getByTestId("quote");
const generate = () => screen.getByTestId("generate");

describe("the quote beside Generate", () => {
  it("shows the batch's total and the balance after it", async () => {
    await open(undefined, ready({ batch: 2 }));
    await waitFor(() => expect(quote()).toHaveAttribute("data-state", "ready"));
    expect(quote()).toHaveTextContent("8 credits · 492 left after");
    expect(quote()).toHaveTextContent("(2 × 4)");
    expect(screen.queryByTestId("quote-estimate")).toBeNull();
    expect(generate()).toBeEnabled();
    expect(generate()).toHaveTextContent(/^Generate$/);
  });

  it("says Pricing… while the first quote is on its way", async () => {
    let answer: (q: QuoteView) => void = () => undefined;
    const { backend } = await open((b) => {
      b.quote = () => new Promise((resolve) => (answer = resolve));
    });
    await waitFor(() => expect(quote()).toHaveAttribute("data-state", "loading"));
    expect(quote()).toHaveTextContent("Pricing…");
    expect(backend.calls.filter((c) => c.cmd === "quote")).toHaveLength(1);
    answer({ per_task: 4, batch: 1, total: 4, remaining: 500, after: 496, affordable: true, estimate: false });
    await waitFor(() => expect(quote()).toHaveTextContent("4 credits · 496 left after"));
  });

  it("marks an estimate", async () => {
    await open((b) => {
      const plain = b.quote;
      b.quote = async (d) => ({ ...(await plain(d)), estimate: true });
    });
    expect(await screen.findByTestId("quote-estimate")).toHaveTextContent("estimate");
  });

  it("disables Generate with the reason when the balance does not cover the batch", async () => {
    await open((b) => b.accounts.set("sk-sandbox-f00d", 5), ready({ batch: 2 }));
    await waitFor(() => expect(quote()).toHaveAttribute("data-state", "unaffordable"));
    expect(quote()).toHaveTextContent("8 credits · only 5 left");
    expect(generate()).toBeDisabled();
    expect(screen.getByTestId("generate-reason")).toHaveTextContent(
      "Not enough credits: this costs 8 credits and 5 credits are left.",
    );
  });

  it("shows the quote's error and, for a lost connection, says so on Generate", async () => {
    await open((b) => {
      b.quote = () => {
        throw appError("The deployment at 127.0.0.1 did not answer.", { kind: "network" });
      };
    });
    await waitFor(() => expect(quote()).toHaveAttribute("data-state", "error"));
    expect(quote()).toHaveTextContent("The deployment at 127.0.0.1 did not answer.");
    expect(generate()).toBeDisabled();
    expect(screen.getByTestId("generate-reason")).toHaveTextContent(
      "No connection: The deployment at 127.0.0.1 did not answer.",
    );
  });

  it("asks no price for a draft with problems and gives the first problem as the reason", async () => {
    const { backend } = await open(undefined, ready({ prompt: "", scene: "image-to-image" }));
    await waitFor(() => expect(screen.getByTestId("generate-reason")).toHaveTextContent("Both prompt and options are empty"));
    expect(generate()).toBeDisabled();
    expect(quote()).toHaveAttribute("data-state", "idle");
    expect(backend.calls.some((c) => c.cmd === "quote")).toBe(false);
  });

  it("ignores a reply that arrives after a newer one", async () => {
    const answers: ((q: QuoteView) => void)[] = [];
    const { studio } = await open((b) => {
      b.quote = () => new Promise((resolve) => answers.push(resolve));
    });
    await waitFor(() => expect(answers).toHaveLength(1));
    studio.drafts.edit((d) => (d.batch = 3));
    await waitFor(() => expect(answers).toHaveLength(2));
    const q = (batch: number): QuoteView => ({
      per_task: 4,
      batch,
      total: 4 * batch,
      remaining: 500,
      after: 500 - 4 * batch,
      affordable: true,
      estimate: false,
    });
    answers[1](q(3));
    await waitFor(() => expect(quote()).toHaveTextContent("12 credits · 488 left after"));
    answers[0](q(1));
    // The store has taken the late reply (and dropped it) once nothing is under way.
    await studio.compose.settled();
    await tick();
    expect(quote()).toHaveTextContent("12 credits · 488 left after");
  });

  it("re-prices when Batch changes", async () => {
    const { user, backend } = await open();
    await waitFor(() => expect(quote()).toHaveTextContent("4 credits · 496 left after"));
    const batch = screen.getByLabelText("Batch");
    expect(batch).toBe(screen.getByTestId("batch"));
    await user.clear(batch);
    await user.type(batch, "3");
    await waitFor(() => expect(quote()).toHaveTextContent("12 credits · 488 left after"));
    expect(backend.calls.filter((c) => c.cmd === "quote").at(-1)?.args).toMatchObject({ draft: { batch: 3 } });
  });

  it("names the model and batch it priced, not the form's, while the next price loads", async () => {
    let hold = false;
    const answers: (() => void)[] = [];
    const { user } = await open((b) => {
      const plain = b.quote;
      b.quote = (d) => (hold ? new Promise((resolve) => answers.push(() => resolve(plain(d)))) : plain(d));
    }, ready({ batch: 2 }));
    await waitFor(() => expect(quote()).toHaveAttribute("data-state", "ready"));
    expect(quote()).toHaveAttribute("data-model", "nano-banana-pro");
    expect(quote()).toHaveAttribute("data-batch", "2");
    hold = true;
    await user.clear(screen.getByTestId("batch"));
    await user.type(screen.getByTestId("batch"), "1");
    await waitFor(() => expect(answers).toHaveLength(1));
    // The old price is still shown, and says it is Batch 2's.
    expect(quote()).toHaveAttribute("data-state", "loading");
    expect(quote()).toHaveAttribute("data-batch", "2");
    answers[0]();
    await waitFor(() => expect(quote()).toHaveAttribute("data-state", "ready"));
    expect(quote()).toHaveAttribute("data-batch", "1");
    expect(quote()).toHaveAttribute("data-model", "nano-banana-pro");
  });
});

describe("the price when the balance moves", () => {
  it("is asked again, so what is left after never comes from an old balance", async () => {
    const { backend, studio } = await open();
    await waitFor(() => expect(quote()).toHaveTextContent("4 credits · 496 left after"));
    const asked = backend.calls.filter((c) => c.cmd === "quote").length;
    // A refund came back while the page was elsewhere; the header reads the new balance.
    backend.accounts.set("sk-sandbox-f00d", 508);
    await studio.app.refreshBalance();
    await waitFor(() => expect(quote()).toHaveTextContent("4 credits · 504 left after"));
    expect(backend.calls.filter((c) => c.cmd === "quote").length).toBe(asked + 1);
    // The same balance again asks nothing.
    await studio.app.refreshBalance();
    await studio.compose.settled();
    expect(backend.calls.filter((c) => c.cmd === "quote").length).toBe(asked + 1);
  });
});

describe("Generate", () => {
  it("creates the batch, shows it under the form and updates the header balance", async () => {
    const { backend, studio, user } = await open(undefined, ready({ batch: 2 }));
    await waitFor(() => expect(generate()).toBeEnabled());
    await user.click(generate());
    const results = await screen.findByTestId("session-results");
    expect(within(results).getAllByTestId("session-result")).toHaveLength(2);
    expect(results).toHaveTextContent("Pending");
    expect(within(results).getAllByTestId("session-cost").map((c) => c.textContent?.trim())).toEqual([
      "4 credits",
      "4 credits",
    ]);
    expect(studio.app.balance?.remaining_credits).toBe(492);
    expect(backend.calls.find((c) => c.cmd === "generate")?.args).toMatchObject({ draft: { batch: 2, prompt: "A lighthouse at dusk" } });
    expect(screen.queryByTestId("submit-error")).toBeNull();
    // The tiles follow the tracker.
    const first = within(results).getAllByTestId("session-result")[0];
    const task = backend.tasks.get(first.dataset.taskId!)!;
    backend.emit({
      type: "task",
      change: "succeeded",
      task: { ...task, state: "succeeded", status: "success", outputs: ["https://cdn.example/o/1.png"], revision: 2 },
    });
    await waitFor(() => expect(first).toHaveAttribute("data-state", "succeeded"));
    // Its file has not landed yet: the tile says so (SessionResults.test.ts follows it further).
    expect(first).toHaveTextContent("Succeeded");
  });

  it("says how many of the batch were created before the refusal, and sends no more", async () => {
    const { backend, user } = await open((b) => {
      b.refuseCreation = {
        at: 1,
        error: appError("Not enough credits: this task needs 4 credits and 0 are left.", { code: "insufficient_credits" }),
      };
    }, ready({ batch: 3 }));
    await waitFor(() => expect(generate()).toBeEnabled());
    await user.click(generate());
    expect(await screen.findByTestId("submit-error")).toHaveTextContent(
      "1 of 3 created — then: Not enough credits: this task needs 4 credits and 0 are left.",
    );
    expect(backend.calls.filter((c) => c.cmd === "generate")).toHaveLength(1);
    expect(within(screen.getByTestId("session-results")).getAllByTestId("session-result")).toHaveLength(1);
  });

  it("shows a refusal of the whole click as Rust's sentence", async () => {
    const { backend, user } = await open();
    await waitFor(() => expect(generate()).toBeEnabled());
    backend.refuseCreation = { at: 0, error: appError("The API key was rejected by 127.0.0.1. Check it in Settings.") };
    await user.click(generate());
    expect(await screen.findByTestId("submit-error")).toHaveTextContent(
      /^The API key was rejected by 127.0.0.1. Check it in Settings.$/,
    );
  });

  it("goes with Ctrl+Enter from the prompt, after checking what was just typed", async () => {
    const { backend, user } = await open(undefined, ready({ prompt: "" }));
    await waitFor(() => expect(generate()).toBeDisabled());
    await user.click(screen.getByTestId("prompt"));
    await user.keyboard("Fog{Control>}{Enter}{/Control}");
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "generate")).toBe(true));
    expect(backend.calls.find((c) => c.cmd === "generate")?.args).toMatchObject({ draft: { prompt: "Fog" } });
  });

  it("is disabled while a reference uploads", async () => {
    const { user } = await open((b) => {
      b.uploadMode = "hold";
      b.picked = [{ path: "/home/u/a.png", name: "a.png", media: "image", problem: null }];
    }, ready({ scene: null }));
    await user.click(await screen.findByTestId("slot-add-image_input"));
    await waitFor(() => expect(screen.getByTestId("generate-reason")).toHaveTextContent("Uploading…"));
    expect(generate()).toBeDisabled();
  });
});

describe("submitSentence", () => {
  const error = new IpcError(appError("Out of credits."));
  it("words each outcome", () => {
    expect(submitSentence({ requested: 8, created: 3, error })).toBe("3 of 8 created — then: Out of credits.");
    expect(submitSentence({ requested: 8, created: 0, error })).toBe("None of the 8 tasks were created: Out of credits.");
    expect(submitSentence({ requested: 1, created: 0, error })).toBe("Out of credits.");
    expect(submitSentence({ requested: 2, created: 2, error: null })).toBeNull();
  });
});

// The low-balance threshold (Settings, default 50): a Generate that would go below it is
// announced beside the price, without blocking it.
const priced = (text: string) => waitFor(() => expect(quote()).toHaveTextContent(text));

describe("the low-balance warning in Create", () => {
  it("warns before a Generate that would take the balance below the threshold, without blocking it", async () => {
    const { backend, user } = await open((b) => b.accounts.set("sk-sandbox-f00d", 60), ready({ batch: 2 }));
    await priced("8 credits · 52 left after");
    expect(screen.queryByTestId("low-balance-warning")).toBeNull();
    const batch = screen.getByLabelText("Batch");
    await user.clear(batch);
    await user.type(batch, "3");
    await priced("12 credits · 48 left after");
    expect(screen.getByTestId("low-balance-warning")).toHaveTextContent(
      "This leaves 48 credits, below your low-balance warning of 50 credits.",
    );
    expect(screen.getByTestId("generate")).toBeEnabled();
    await user.click(screen.getByTestId("generate"));
    await waitFor(() => expect(backend.calls.some((c) => c.cmd === "generate")).toBe(true));
  });

  it("says nothing when the balance is already below it, or when the warning is off", async () => {
    await open((b) => b.accounts.set("sk-sandbox-f00d", 40));
    await priced("4 credits · 36 left after");
    expect(screen.queryByTestId("low-balance-warning")).toBeNull();
  });

  it("follows the stored threshold", async () => {
    await open((b: FakeBackend) => {
      b.accounts.set("sk-sandbox-f00d", 502);
      b.lowBalance = 500;
    });
    await priced("4 credits · 498 left after");
    expect(screen.getByTestId("low-balance-warning")).toHaveTextContent("below your low-balance warning of 500 credits");
  });

  it("is off at 0", async () => {
    await open((b) => {
      b.accounts.set("sk-sandbox-f00d", 10);
      b.lowBalance = 0;
    });
    await priced("4 credits · 6 left after");
    expect(screen.queryByTestId("low-balance-warning")).toBeNull();
  });
});
