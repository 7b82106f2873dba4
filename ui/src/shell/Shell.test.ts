import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { installFakeBackend } from "../testing/fakeBackend";
import Shell from "./Shell.svelte";

describe("Shell", () => {
  it("shows the active profile, its balance and the sandbox banner", async () => {
    installFakeBackend();
    render(Shell);
    await waitFor(() => expect(screen.getByTestId("balance-value")).toHaveTextContent("500"));
    expect(screen.getByTestId("profile-switcher")).toHaveValue("sandbox");
    expect(screen.getByTestId("sandbox-banner")).toHaveTextContent(/local sandbox/i);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Create");
  });

  it("lists the five pages and moves between them with arrows and shortcuts", async () => {
    installFakeBackend();
    const user = userEvent.setup();
    render(Shell);
    // Create opens with the prompt focused, once the draft is there.
    await waitFor(() => expect(screen.getByTestId("prompt")).toHaveFocus());
    const nav = screen.getByRole("navigation", { name: "Main" });
    const items = Array.from(nav.querySelectorAll("button")).map((b) => b.textContent?.replace(/\d/g, "").trim());
    expect(items).toEqual(["Create", "Gallery", "Activity", "Usage", "Settings"]);

    screen.getByTestId("nav-create").focus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("nav-gallery")).toHaveFocus();
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(screen.getByTestId("nav-settings")).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Settings");
    expect(screen.getByTestId("nav-settings")).toHaveAttribute("aria-current", "page");

    await user.keyboard("{Control>}4{/Control}");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Usage");
    expect(screen.getByTestId("usage-page")).toBeInTheDocument();
  });

  it("switching profile refreshes the balance and hides the banner", async () => {
    const backend = installFakeBackend();
    backend.accounts.set("sk-live-0123456789abcdef", 1234);
    const user = userEvent.setup();
    render(Shell);
    await waitFor(() => expect(screen.getByTestId("balance-value")).toHaveTextContent("500"));
    await user.click(screen.getByTestId("nav-settings"));
    await user.click(screen.getByTestId("add-profile"));
    await user.type(screen.getByLabelText("Name"), "Other");
    await user.clear(screen.getByLabelText("Base URL"));
    await user.type(screen.getByLabelText("Base URL"), "https://api.example.com");
    await user.type(screen.getByLabelText("API key"), "sk-live-0123456789abcdef");
    await user.click(screen.getByTestId("add-profile-save"));
    await waitFor(() => expect(screen.getAllByTestId("profile-card")).toHaveLength(2));
    await user.selectOptions(screen.getByTestId("profile-switcher"), "Other");
    await waitFor(() => expect(screen.getByTestId("balance-value")).toHaveTextContent("1,234"));
    expect(screen.queryByTestId("sandbox-banner")).toBeNull();
  });

  it("shows one keychain notice with its cause behind Details, and Try again re-probes", async () => {
    const backend = installFakeBackend();
    const locked = {
      kind: "keychain" as const,
      code: null,
      message: "The system keychain is locked, so keys cannot be read; the Sandbox runs on a temporary key.",
      detail: "SS error: result not returned from SS API",
    };
    backend.keychain = locked;
    // A sandbox failure that repeats the same sentence is not a second notice.
    backend.sandbox = { state: "failed", error: locked };
    const user = userEvent.setup();
    render(Shell);
    const notice = await screen.findByTestId("keychain-problem");
    expect(notice).toHaveTextContent(locked.message);
    expect(screen.getAllByRole("alert").filter((n) => n.textContent?.includes("keychain"))).toHaveLength(1);
    expect(screen.queryByTestId("sandbox-failed")).toBeNull();
    const details = screen.getByTestId("keychain-details");
    expect(details).not.toHaveAttribute("open");
    await user.click(within(details).getByText("Details"));
    expect(details).toHaveAttribute("open");
    expect(details).toHaveTextContent("SS error: result not returned from SS API");

    backend.sandbox = { state: "running", base_url: "http://127.0.0.1:4100" };
    await user.click(screen.getByTestId("keychain-retry"));
    await waitFor(() => expect(screen.queryByTestId("keychain-problem")).toBeNull());
    expect(backend.calls.some((c) => c.cmd === "retry_keychain")).toBe(true);
    expect(screen.getByTestId("sandbox-banner")).toBeInTheDocument();
  });

  it("shows the keychain notice as soon as a command meets a locked keychain", async () => {
    const backend = installFakeBackend();
    const timedOut = {
      kind: "keychain" as const,
      code: null,
      message: "The keychain did not answer within 4 seconds; it may be waiting for an unlock prompt.",
      detail: "no reply from the credential store after 4 s",
    };
    backend.refuseKeys = timedOut;
    const user = userEvent.setup();
    render(Shell);
    await screen.findByTestId("balance-value");
    expect(screen.queryByTestId("keychain-problem")).toBeNull();
    await user.click(screen.getByTestId("nav-settings"));
    await user.click(await screen.findByTestId("add-profile"));
    await user.type(screen.getByLabelText(/name/i), "Production");
    await user.clear(screen.getByLabelText(/base url/i));
    await user.type(screen.getByLabelText(/base url/i), "https://api.example.com");
    await user.type(screen.getByLabelText(/api key/i), "sk-live-0123456789abcdef");
    await user.click(screen.getByTestId("add-profile-save"));
    expect(await screen.findByTestId("add-profile-error")).toHaveTextContent(timedOut.message);
    const notice = await screen.findByTestId("keychain-problem");
    expect(notice).toHaveTextContent(timedOut.message);
    expect(screen.getAllByTestId("keychain-problem")).toHaveLength(1);
  });

  it("the switcher shows a profile added and made active in Settings", async () => {
    installFakeBackend();
    const user = userEvent.setup();
    render(Shell);
    await screen.findByTestId("balance-value");
    await user.click(screen.getByTestId("nav-settings"));
    await user.click(await screen.findByTestId("add-profile"));
    await user.type(screen.getByLabelText(/name/i), "Production");
    await user.clear(screen.getByLabelText(/base url/i));
    await user.type(screen.getByLabelText(/base url/i), "https://api.example.com");
    await user.type(screen.getByLabelText(/api key/i), "sk-live-0123456789abcdef");
    await user.click(screen.getByTestId("add-profile-save"));
    const profile = await waitFor(() => {
      const found = screen
        .getAllByTestId("profile-card")
        .find((c) => c.getAttribute("data-profile-name") === "Production");
      if (!found) throw new Error("no card yet");
      return found;
    });
    await user.click(within(profile).getByTestId("profile-use"));
    const switcher = screen.getByTestId("profile-switcher") as HTMLSelectElement;
    await waitFor(() => expect(switcher.value).toBe(profile.dataset.profileId));
    expect(switcher.selectedOptions[0].textContent).toBe("Production");
  });

  it("keeps one notice when the keychain is still locked after Try again", async () => {
    const backend = installFakeBackend();
    backend.keychain = { kind: "keychain", code: null, message: "The keychain is locked.", detail: null };
    backend.keychainAfterRetry = backend.keychain;
    const user = userEvent.setup();
    render(Shell);
    await user.click(await screen.findByTestId("keychain-retry"));
    await waitFor(() => expect(backend.calls.filter((c) => c.cmd === "retry_keychain")).toHaveLength(1));
    expect(screen.getAllByTestId("keychain-problem")).toHaveLength(1);
    expect(screen.queryByTestId("keychain-details")).toBeNull();
  });

  it("shows a sandbox that did not start for another reason, with its Details", async () => {
    const backend = installFakeBackend();
    backend.sandbox = {
      state: "failed",
      error: { kind: "sandbox", code: null, message: "The local sandbox could not open its data folder.", detail: "Permission denied (os error 13)" },
    };
    render(Shell);
    const failed = await screen.findByTestId("sandbox-failed");
    expect(failed).toHaveTextContent("The local sandbox could not open its data folder.");
    expect(failed).toHaveTextContent("Permission denied (os error 13)");
    expect(screen.queryByTestId("sandbox-banner")).toBeNull();
  });

  it("lets the sandbox banner be dismissed for good: it is information, not a problem", async () => {
    installFakeBackend();
    const user = userEvent.setup();
    const first = render(Shell);
    await user.click(await screen.findByTestId("sandbox-banner-dismiss"));
    expect(screen.queryByTestId("sandbox-banner")).toBeNull();
    first.unmount();
    render(Shell);
    await waitFor(() => expect(screen.getByTestId("balance-value")).toHaveTextContent("500"));
    expect(screen.queryByTestId("sandbox-banner")).toBeNull();
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
