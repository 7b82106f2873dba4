// Reference slots on the Create page: Add files, progress, Cancel, failure and Retry,
// reorder and remove, Paste, and files dropped on the window.
import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { appError, emptyDraft, installFakeBackend, type FakeBackend } from "../testing/fakeBackend";
import { FAST, renderCreate, testStudio } from "../testing/studio";
import type { Draft } from "../lib/bindings/Draft";
import type { DraftReference } from "../lib/bindings/DraftReference";
import Shell from "../shell/Shell.svelte";
import type { PickedFile } from "../lib/bindings/PickedFile";

const seedance = (over: Partial<Draft> = {}): Draft => ({ ...emptyDraft(), model: "seedance-2-preview", prompt: "x", ...over });
const png = (name: string): PickedFile => ({ path: `/home/u/${name}`, name, media: "image", problem: null });

const open = (setup: (backend: FakeBackend) => void = () => undefined, draft = seedance()) => renderCreate(draft, setup);

const tiles = (slot: string) => within(screen.getByTestId(`slot-${slot}`)).queryAllByTestId("reference-tile");

describe("reference slots", () => {
  it("state their media, limit and what each position means", async () => {
    await open();
    const images = await screen.findByTestId("slot-image_input");
    expect(images).toHaveTextContent("Input images");
    expect(images).toHaveTextContent("up to 9");
    expect(within(screen.getByTestId("slot-video_input")).getByTestId("slot-add-video_input")).toHaveTextContent(
      "video to edit",
    );
  });

  it("uploads picked files with a progress bar, into the draft at once, then shows the thumbnail", async () => {
    const { backend, studio, user } = await open((b) => {
      b.uploadMode = "hold";
      b.picked = [png("a.png"), png("b.png")];
    });
    await user.click(await screen.findByTestId("slot-add-image_input"));
    expect(backend.calls.find((c) => c.cmd === "pick_reference_files")?.args).toEqual({ media: "image", multiple: true });
    await waitFor(() => expect(tiles("image_input")).toHaveLength(2));
    const [a, b] = tiles("image_input");
    expect(a).toHaveAttribute("data-state", "uploading");
    expect(within(a).getByTestId("slot-label")).toHaveTextContent("@image1");
    expect(within(b).getByTestId("slot-label")).toHaveTextContent("@image2");
    // In the saved draft before any upload finished, so a restart keeps the tiles.
    await waitFor(() => expect(backend.drafts.get("sandbox")?.references).toHaveLength(2));
    expect(backend.drafts.get("sandbox")?.references.map((r) => r.url)).toEqual([null, null]);

    const upload = backend.held.get(a.dataset.referenceId!)!;
    expect(upload.args).toMatchObject({ path: "/home/u/a.png", slot: "image_input", media: "image" });
    upload.progress(250, 1000);
    await waitFor(() => expect(within(a).getByTestId("upload-progress")).toHaveAttribute("value", "250"));
    expect(a).toHaveTextContent("25% of");
    upload.finish();
    await waitFor(() => expect(tiles("image_input")[0]).toHaveAttribute("data-state", "ready"));
    expect(within(tiles("image_input")[0]).getByRole("img")).toHaveAttribute(
      "src",
      "http://127.0.0.1:4200/token/cache/previews/a.png.webp",
    );
    expect(studio.drafts.draft.references[0].url).toBe("http://127.0.0.1:4100/files/a.png");
  });

  it("cancels an upload and drops its tile", async () => {
    const { backend, user } = await open((b) => {
      b.uploadMode = "hold";
      b.picked = [png("a.png")];
    });
    await user.click(await screen.findByTestId("slot-add-image_input"));
    const tile = (await waitFor(() => tiles("image_input")))[0];
    await user.click(within(tile).getByTestId("upload-cancel"));
    expect(backend.calls.find((c) => c.cmd === "cancel_upload")?.args).toEqual({ upload_id: tile.dataset.referenceId });
    await waitFor(() => expect(tiles("image_input")).toHaveLength(0));
  });

  it("shows a failed upload's sentence on its tile and retries it with the same file", async () => {
    const { backend, user } = await open((b) => {
      b.uploadMode = "hold";
      b.picked = [png("a.png")];
    });
    await user.click(await screen.findByTestId("slot-add-image_input"));
    const id = (await waitFor(() => tiles("image_input")))[0].dataset.referenceId!;
    backend.held.get(id)!.fail(appError("The connection was lost while a.png was uploading.", { kind: "network" }));
    await waitFor(() => expect(tiles("image_input")[0]).toHaveAttribute("data-state", "failed"));
    expect(within(tiles("image_input")[0]).getByTestId("upload-error")).toHaveTextContent(
      "The connection was lost while a.png was uploading.",
    );
    await user.click(within(tiles("image_input")[0]).getByTestId("upload-retry"));
    await waitFor(() => expect(tiles("image_input")[0]).toHaveAttribute("data-state", "uploading"));
    const uploads = backend.calls.filter((c) => c.cmd === "upload_reference");
    expect(uploads).toHaveLength(2);
    expect(uploads[1].args).toEqual(uploads[0].args);
  });

  it("offers Retry for an upload a restart interrupted", async () => {
    const interrupted: DraftReference = {
      id: "r1",
      slot: "image_input",
      url: null,
      file_name: "a.png",
      media: "image",
      local_path: "/home/u/a.png",
      sha256: null,
      preview: null,
    };
    const { backend, user } = await open(undefined, seedance({ references: [interrupted] }));
    const tile = (await waitFor(() => tiles("image_input")))[0];
    expect(tile).toHaveAttribute("data-state", "failed");
    expect(tile).toHaveTextContent("The upload of a.png did not finish.");
    await user.click(within(tile).getByTestId("upload-retry"));
    await waitFor(() => expect(tiles("image_input")[0]).toHaveAttribute("data-state", "ready"));
    expect(backend.calls.find((c) => c.cmd === "upload_reference")?.args).toMatchObject({ upload_id: "r1", path: "/home/u/a.png" });
  });

  it("does not hold up another profile's Generate with an upload still finishing for this one", async () => {
    const { backend, studio, user } = await open((b) => {
      b.uploadMode = "hold";
      b.picked = [png("a.png")];
      b.keys.set("p7", "sk-live-0123456789abcdef");
      b.accounts.set("sk-live-0123456789abcdef", 100);
      b.drafts.set("p7", { ...emptyDraft(), model: "nano-banana-pro", scene: "text-to-image", prompt: "x" });
    });
    await user.click(await screen.findByTestId("slot-add-image_input"));
    await waitFor(() => expect(screen.getByTestId("generate-reason")).toHaveTextContent("Uploading…"));
    await studio.app.switchTo("p7");
    await waitFor(() => expect(screen.getByTestId("model-picker")).toHaveValue("nano-banana-pro"));
    await waitFor(() => expect(screen.getByTestId("generate")).toBeEnabled());
    expect(backend.held.size).toBe(1);
  });

  it("reorders within a slot and removes", async () => {
    const ref = (id: string): DraftReference => ({
      id,
      slot: "image_input",
      url: `https://x/${id}.png`,
      file_name: `${id}.png`,
      media: "image",
      local_path: null,
      sha256: null,
      preview: null,
    });
    const { studio, user } = await open(undefined, seedance({ references: [ref("one"), ref("two")] }));
    await waitFor(() => expect(tiles("image_input")).toHaveLength(2));
    await user.click(within(tiles("image_input")[1]).getByTestId("reference-move-earlier"));
    expect(studio.drafts.draft.references.map((r) => r.id)).toEqual(["two", "one"]);
    expect(within(tiles("image_input")[0]).getByTestId("slot-label")).toHaveTextContent("@image1");
    expect(tiles("image_input")[0]).toHaveTextContent("two.png");
    await user.click(within(tiles("image_input")[0]).getByTestId("reference-remove"));
    expect(studio.drafts.draft.references.map((r) => r.id)).toEqual(["one"]);
  });

  it("pastes files with the Paste button and with Ctrl+V outside text fields", async () => {
    const { backend, user } = await open((b) => {
      b.pasted = [png("clip.png")];
    });
    await user.click(await screen.findByTestId("references-paste"));
    await waitFor(() => expect(tiles("image_input")).toHaveLength(1));
    backend.pasted = [png("two.png")];
    screen.getByTestId("prompt").focus();
    await user.keyboard("{Control>}v{/Control}");
    expect(backend.calls.filter((c) => c.cmd === "paste_reference_files")).toHaveLength(1);
    screen.getByTestId("references-paste").focus();
    await user.keyboard("{Control>}v{/Control}");
    await waitFor(() => expect(tiles("image_input")).toHaveLength(2));
  });

  it("says which files could not be added", async () => {
    const { user } = await open((b) => {
      b.picked = [png("a.png"), { path: "/home/u/notes.txt", name: "notes.txt", media: null, problem: null }];
    });
    await user.click(await screen.findByTestId("slot-add-image_input"));
    expect(await screen.findByTestId("reference-notices")).toHaveTextContent(
      "notes.txt is not an image or video the API accepts.",
    );
    expect(tiles("image_input")).toHaveLength(1);
  });

  it("moves references to the new model's slots, and says which it could not keep", async () => {
    const ref = (id: string, slot: string, media: "image" | "video"): DraftReference => ({
      id,
      slot,
      url: `https://x/${id}`,
      file_name: id,
      media,
      local_path: null,
      sha256: null,
      preview: null,
    });
    const { studio, user } = await open(
      undefined,
      seedance({ references: [ref("a.png", "image_input", "image"), ref("v.mp4", "video_input", "video")], options: { duration: 10, parent_task_id: "t1" } }),
    );
    await user.selectOptions(await screen.findByTestId("model-picker"), "kling-2.6");
    expect(studio.drafts.draft.references.map((r) => [r.id, r.slot])).toEqual([["a.png", "image_input"]]);
    expect(studio.drafts.draft.options).toEqual({ duration: 10 });
    expect(screen.getByTestId("reference-notices")).toHaveTextContent("v.mp4 was removed: kling-2.6 has no slot for it.");
  });
});

describe("files dropped on the window", () => {
  it("shows where they will land while they hover, then adds them in Create", async () => {
    const backend = installFakeBackend();
    backend.drafts.set("sandbox", seedance());
    const studio = testStudio({ timings: FAST });
    const user = userEvent.setup();
    render(Shell, { studio });
    await screen.findByTestId("slot-image_input");
    await user.click(screen.getByTestId("nav-activity"));
    await waitFor(() => expect(backend.dropChannel).not.toBeNull());

    const files = [png("a.png"), { path: "/home/u/clip.mp4", name: "clip.mp4", media: "video" as const, problem: null }, { path: "/x/doc.pdf", name: "doc.pdf", media: null, problem: null }];
    backend.drop({ type: "hover", files });
    const zone = await screen.findByTestId("drop-zone");
    const rows = within(zone).getAllByTestId("drop-file");
    expect(rows.map((r) => r.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "a.png → Input images · @image1",
      "clip.mp4 → Input video · video to edit",
    ]);
    expect(within(zone).getByTestId("drop-refused")).toHaveTextContent("doc.pdf is not an image or video the API accepts.");

    backend.drop({ type: "leave" });
    await waitFor(() => expect(screen.queryByTestId("drop-zone")).toBeNull());
    backend.drop({ type: "hover", files });
    backend.drop({ type: "drop", files });
    await waitFor(() => expect(screen.getByTestId("page-create")).toBeInTheDocument());
    expect(screen.queryByTestId("drop-zone")).toBeNull();
    await waitFor(() => expect(tiles("image_input")).toHaveLength(1));
    expect(tiles("video_input")).toHaveLength(1);
    expect(screen.getByTestId("reference-notices")).toHaveTextContent("doc.pdf");
    const uploads = backend.calls.filter((c) => c.cmd === "upload_reference").map((c) => c.args);
    expect(uploads).toMatchObject([
      { path: "/home/u/a.png", slot: "image_input", media: "image" },
      { path: "/home/u/clip.mp4", slot: "video_input", media: "video" },
    ]);
  });
});
