import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/svelte";
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
    expect(screen.getByTestId("placeholder")).toHaveTextContent(/credits/i);
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
});
