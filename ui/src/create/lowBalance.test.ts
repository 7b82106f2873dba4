// The low-balance threshold: Create warns before a Generate that would cross it, the
// header turns amber below it, and Settings keeps it (in Rust's library settings).
import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { emptyDraft, installFakeBackend, type FakeBackend } from "../testing/fakeBackend";
import { renderCreate } from "../testing/studio";
import type { Draft } from "../lib/bindings/Draft";
import Shell from "../shell/Shell.svelte";

const ready = (over: Partial<Draft> = {}): Draft => ({
  ...emptyDraft(),
  model: "nano-banana-pro",
  scene: "text-to-image",
  prompt: "A lighthouse at dusk",
  ...over,
});

const priced = (text: string) => waitFor(() => expect(screen.getByTestId("quote")).toHaveTextContent(text));

describe("the low-balance warning in Create", () => {
  it("warns before a Generate that would take the balance below the threshold, without blocking it", async () => {
    const { backend, user } = await renderCreate(ready({ batch: 2 }), (b) => b.accounts.set("sk-sandbox-f00d", 60));
    await priced("8 credits · 52 left after");
    expect(screen.queryByTestId("low-balance-warning")).toBeNull();
    const batch = screen.getByTestId("batch");
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
    await renderCreate(ready(), (b) => b.accounts.set("sk-sandbox-f00d", 40));
    await priced("4 credits · 36 left after");
    expect(screen.queryByTestId("low-balance-warning")).toBeNull();
  });

  it("follows the stored threshold", async () => {
    await renderCreate(ready(), (b: FakeBackend) => {
      b.accounts.set("sk-sandbox-f00d", 502);
      b.lowBalance = 500;
    });
    await priced("4 credits · 498 left after");
    expect(screen.getByTestId("low-balance-warning")).toHaveTextContent("below your low-balance warning of 500 credits");
  });

  it("is off at 0", async () => {
    await renderCreate(ready(), (b) => {
      b.accounts.set("sk-sandbox-f00d", 10);
      b.lowBalance = 0;
    });
    await priced("4 credits · 6 left after");
    expect(screen.queryByTestId("low-balance-warning")).toBeNull();
  });
});

describe("the header balance and the Settings threshold", () => {
  it("turns amber below the threshold, and a new threshold in Settings applies at once", async () => {
    const backend = installFakeBackend();
    backend.accounts.set("sk-sandbox-f00d", 80);
    const user = userEvent.setup();
    render(Shell);
    await waitFor(() => expect(screen.getByTestId("balance-value")).toHaveTextContent("80"));
    expect(screen.getByTestId("balance")).toHaveAttribute("data-low", "false");

    await user.click(screen.getByTestId("nav-settings"));
    const field = await screen.findByTestId("low-balance-threshold");
    expect(field).toHaveValue(50);
    await user.clear(field);
    await user.type(field, "100");
    await user.click(screen.getByTestId("low-balance-save"));
    expect(await screen.findByTestId("low-balance-saved")).toHaveTextContent("Saved");
    expect(backend.lowBalance).toBe(100);
    expect(screen.getByTestId("balance")).toHaveAttribute("data-low", "true");
    expect(screen.getByTestId("balance")).toHaveAttribute("title", expect.stringContaining("low-balance warning of 100 credits"));

    await user.clear(field);
    await user.type(field, "-5");
    await user.click(screen.getByTestId("low-balance-save"));
    expect(await screen.findByTestId("low-balance-error")).toHaveTextContent("Enter a number of credits from 0");
    expect(backend.lowBalance).toBe(100);
  });
});
