import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { installFakeBackend } from "../testing/fakeBackend";
import { AppStore } from "../shell/appStore.svelte";
import AddProfileForm from "./AddProfileForm.svelte";

async function fill(user: ReturnType<typeof userEvent.setup>, key: string, url = "https://api.example.com") {
  await user.type(screen.getByLabelText("Name"), "Production");
  await user.clear(screen.getByLabelText("Base URL"));
  await user.type(screen.getByLabelText("Base URL"), url);
  await user.type(screen.getByLabelText("API key"), key);
}

describe("AddProfileForm", () => {
  it("keeps its buttons disabled until every field is filled", async () => {
    installFakeBackend();
    const user = userEvent.setup();
    render(AddProfileForm, { store: new AppStore(vi.fn()), onadded: vi.fn(), oncancel: vi.fn() });
    expect(screen.getByTestId("draft-test")).toBeDisabled();
    await fill(user, "sk-sandbox-f00d");
    expect(screen.getByTestId("draft-test")).toBeEnabled();
    expect(screen.getByLabelText("API key")).toHaveAttribute("type", "password");
  });

  it("shows the balance when the connection test succeeds", async () => {
    installFakeBackend();
    const user = userEvent.setup();
    render(AddProfileForm, { store: new AppStore(vi.fn()), onadded: vi.fn(), oncancel: vi.fn() });
    await fill(user, "sk-sandbox-f00d");
    await user.click(screen.getByTestId("draft-test"));
    expect(await screen.findByTestId("draft-test-result")).toHaveTextContent(
      "Connected to https://api.example.com: 500 credits available.",
    );
  });

  it("shows the API's error sentence as it is", async () => {
    installFakeBackend();
    const user = userEvent.setup();
    render(AddProfileForm, { store: new AppStore(vi.fn()), onadded: vi.fn(), oncancel: vi.fn() });
    await fill(user, "sk-wrong-key-1234");
    await user.click(screen.getByTestId("draft-test"));
    expect(await screen.findByTestId("draft-test-result")).toHaveTextContent(
      "The API key was rejected by 127.0.0.1. Check it in Settings.",
    );
  });

  it("saves through add_profile and reports refusals", async () => {
    const backend = installFakeBackend();
    const onadded = vi.fn();
    const user = userEvent.setup();
    render(AddProfileForm, { store: new AppStore(vi.fn()), onadded, oncancel: vi.fn() });
    await fill(user, "sk-live-0123456789abcdef", "http://api.example.com");
    await user.click(screen.getByTestId("add-profile-save"));
    // The sentence is Rust's own (fixtures/base_urls.json), shown as it is.
    expect(await screen.findByTestId("add-profile-error")).toHaveTextContent(
      "Use https:// for api.example.com: plain http is allowed only for this computer",
    );
    expect(onadded).not.toHaveBeenCalled();

    await user.clear(screen.getByLabelText("Base URL"));
    await user.type(screen.getByLabelText("Base URL"), "https://api.example.com");
    await user.click(screen.getByTestId("add-profile-save"));
    await vi.waitFor(() => expect(onadded).toHaveBeenCalledOnce());
    expect(onadded.mock.calls[0][0]).toMatchObject({ name: "Production", key_hint: "sk-…cdef" });
    const adds = backend.calls.filter((c) => c.cmd === "add_profile");
    expect(adds.at(-1)).toEqual({
      cmd: "add_profile",
      args: { name: "Production", base_url: "https://api.example.com", api_key: "sk-live-0123456789abcdef" },
    });
    // The app state is read again after the add, so the switcher lists the new profile.
    const order = backend.calls.map((c) => c.cmd);
    expect(order.lastIndexOf("app_state")).toBeGreaterThan(order.lastIndexOf("add_profile"));
  });
});
