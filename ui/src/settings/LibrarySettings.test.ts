// Settings → Library over the fake backend: the folder and its size, Change… (picker, then
// the move, with its report or the core's refusal), Cancel, and Open in file manager.
import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { appError, installFakeBackend, type FakeBackend } from "../testing/fakeBackend";
import LibrarySettings from "./LibrarySettings.svelte";
import { LibraryStore } from "./libraryStore.svelte";

async function open(setup: (backend: FakeBackend) => void = () => undefined) {
  const backend = installFakeBackend();
  setup(backend);
  render(LibrarySettings, { library: new LibraryStore() });
  await screen.findByTestId("library-path");
  return { backend, user: userEvent.setup() };
}

const calls = (backend: FakeBackend, cmd: string) => backend.calls.filter((c) => c.cmd === cmd);

describe("Settings → Library", () => {
  it("shows the folder, how much it holds and the free space", async () => {
    await open((b) => {
      b.gallery.folder = { path: "/data/library", is_default: true, files: 3, bytes: 2 * 1024 * 1024, available: 10 * 1024 ** 3 };
    });
    expect(screen.getByTestId("library-path")).toHaveTextContent("/data/library");
    expect(screen.getByTestId("library-usage")).toHaveTextContent("3 files · 2.0 MB · 10.0 GB free on this disk · the default folder");
  });

  it("Change… moves the library to the picked folder and says what moved", async () => {
    const { backend, user } = await open((b) => {
      b.gallery.folder = { path: "/data/library", is_default: true, files: 12, bytes: 3 * 1024 * 1024, available: null };
      b.gallery.pickAnswer = "/mnt/big/library";
    });
    await user.click(screen.getByTestId("library-change"));
    expect(await screen.findByTestId("library-moved")).toHaveTextContent("Moved 12 files (3.0 MB) to /mnt/big/library.");
    expect(calls(backend, "move_library").map((c) => c.args)).toEqual([{ path: "/mnt/big/library" }]);
    await waitFor(() => expect(screen.getByTestId("library-path")).toHaveTextContent("/mnt/big/library"));
    expect(screen.getByTestId("library-usage")).not.toHaveTextContent("the default folder");
  });

  it("Cancel in the picker moves nothing", async () => {
    const { backend, user } = await open((b) => (b.gallery.pickAnswer = null));
    await user.click(screen.getByTestId("library-change"));
    await waitFor(() => expect(calls(backend, "pick_library_folder")).toHaveLength(1));
    expect(calls(backend, "move_library")).toHaveLength(0);
    expect(screen.queryByTestId("library-moved")).toBeNull();
    expect(screen.queryByTestId("library-error")).toBeNull();
  });

  it("a refused move shows the core's sentence and keeps the folder", async () => {
    const { user } = await open((b) => {
      b.gallery.pickAnswer = "/readonly";
      b.gallery.refuseMove = appError("The folder /readonly is read-only: choose one you can write to.", { kind: "invalid_input" });
    });
    await user.click(screen.getByTestId("library-change"));
    expect(await screen.findByTestId("library-error")).toHaveTextContent("The folder /readonly is read-only");
    expect(screen.getByTestId("library-path")).not.toHaveTextContent("/readonly");
  });

  it("Open in file manager opens the folder", async () => {
    const { backend, user } = await open();
    await user.click(screen.getByTestId("library-open"));
    await waitFor(() => expect(backend.gallery.openedFolder).toBe(1));
  });
});
