import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { installFakeBackend } from "../testing/fakeBackend";
import type { ProfileView } from "../lib/bindings/ProfileView";
import { AppStore } from "../shell/appStore.svelte";
import ProfileCard from "./ProfileCard.svelte";

const profile: ProfileView = {
  id: "p1",
  name: "Production",
  kind: "user",
  base_url: "https://api.example.com",
  key_hint: "sk-…a4f2",
  key_source: "keychain",
  active: false,
};

describe("ProfileCard", () => {
  it("shows only the key hint and asks before deleting", async () => {
    const backend = installFakeBackend();
    backend.keys.set("p1", "sk-live-secret-a4f2");
    const store = new AppStore(vi.fn());
    const apply = vi.spyOn(store, "apply");
    const user = userEvent.setup();
    render(ProfileCard, { profile, store });
    expect(screen.getByTestId("key-hint")).toHaveTextContent("sk-…a4f2");
    expect(document.body.textContent).not.toContain("sk-live-secret-a4f2");

    await user.click(screen.getByTestId("profile-delete"));
    expect(backend.calls.some((c) => c.cmd === "delete_profile")).toBe(false);
    await user.click(screen.getByTestId("profile-delete-confirm"));
    // The state Rust returns after the delete becomes the app's.
    await vi.waitFor(() => expect(apply).toHaveBeenCalledOnce());
    expect(backend.calls.filter((c) => c.cmd === "delete_profile")).toEqual([{ cmd: "delete_profile", args: { id: "p1" } }]);
  });

  it("the built-in sandbox cannot be deleted or re-keyed", () => {
    installFakeBackend();
    render(ProfileCard, {
      profile: { ...profile, id: "sandbox", name: "Sandbox", kind: "sandbox", active: true },
      store: new AppStore(vi.fn()),
    });
    expect(screen.queryByTestId("profile-delete")).toBeNull();
    expect(screen.queryByTestId("replace-key")).toBeNull();
    expect(screen.queryByTestId("profile-use")).toBeNull();
  });
});
