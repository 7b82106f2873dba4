import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../testing/fakeBackend";
import type { DraftReference } from "../lib/bindings/DraftReference";
import type { PickedFile } from "../lib/bindings/PickedFile";
import { isReferenceField } from "./form";
import { limitText, meaningAt, moveWithinSlot, planFiles, referenceSlots, slotRules } from "./slots";

const form = (model: string) => {
  const found = CATALOGUE.models.find((m) => m.model === model);
  if (!found) throw new Error(`no ${model} in the catalogue fixture`);
  return found;
};
const file = (name: string, media: PickedFile["media"], problem: string | null = null): PickedFile => ({
  path: `/home/u/${name}`,
  name,
  media,
  problem,
});
const ref = (id: string, slot: string): DraftReference => ({
  id,
  slot,
  url: `https://x/${id}`,
  file_name: `${id}.png`,
  media: "image",
  local_path: null,
  sha256: null,
  preview: null,
});

describe("slot meanings", () => {
  it("numbers {n} from 1 and repeats the last entry", () => {
    expect(meaningAt(["@image{n}"], 0)).toBe("@image1");
    expect(meaningAt(["@image{n}"], 8)).toBe("@image9");
    expect(meaningAt(["first frame", "last frame"], 0)).toBe("first frame");
    expect(meaningAt(["first frame", "last frame"], 1)).toBe("last frame");
    expect(meaningAt(["first frame", "last frame"], 2)).toBe("last frame");
    expect(meaningAt([], 2)).toBe("3");
  });

  it("follows the mode option (veo's generationType) for counts and meanings", () => {
    const field = form("veo-3.1-fast").fields.find((f) => f.key === "image_input")!;
    if (!isReferenceField(field)) throw new Error("image_input is a references field");
    expect(slotRules(field.control, {})).toEqual({ min: null, max: 3, meanings: ["first frame", "last frame"] });
    expect(slotRules(field.control, { generationType: "TEXT_2_VIDEO" })).toMatchObject({ max: 0 });
    expect(slotRules(field.control, { generationType: "REFERENCE_2_VIDEO" })).toEqual({
      min: 1,
      max: 3,
      meanings: ["reference {n}"],
    });
  });

  it("states limits in words", () => {
    expect(limitText({ max: 9 })).toBe("up to 9");
    expect(limitText({ max: 1 })).toBe("1 file");
    expect(limitText({ max: 0 })).toBe("none in this mode");
    expect(limitText({ max: null })).toBe("");
  });
});

describe("referenceSlots", () => {
  it("shows every slot in Automatic and only the picked scene's slots otherwise", () => {
    const nano = form("nano-banana-pro");
    expect(referenceSlots(nano, null, "text-to-image", {}, []).map((s) => s.key)).toEqual(["image_input"]);
    expect(referenceSlots(nano, "text-to-image", "text-to-image", {}, [])).toEqual([]);
    const i2i = referenceSlots(nano, "image-to-image", "image-to-image", {}, []);
    expect(i2i).toMatchObject([{ key: "image_input", required: true, unused: false, media: "image" }]);
  });

  it("keeps a slot that still holds files, marked unused, so they can be removed", () => {
    const nano = form("nano-banana-pro");
    const slots = referenceSlots(nano, "text-to-image", "text-to-image", {}, [ref("a", "image_input")]);
    expect(slots).toMatchObject([{ key: "image_input", unused: true }]);
  });
});

describe("planFiles (where dropped, pasted or picked files land)", () => {
  const seedance = form("seedance-2-preview");
  const slots = (refs: DraftReference[] = []) => referenceSlots(seedance, null, "text-to-video", {}, refs);

  it("puts each file in the first free slot that takes its media, in order", () => {
    const plan = planFiles([file("a.png", "image"), file("clip.mp4", "video"), file("b.png", "image")], slots(), []);
    expect(plan.refused).toEqual([]);
    expect(plan.placed.map((p) => [p.file.name, p.slot, p.meaning])).toEqual([
      ["a.png", "image_input", "@image1"],
      ["clip.mp4", "video_input", "video to edit"],
      ["b.png", "image_input", "@image2"],
    ]);
  });

  it("counts the files already there and refuses what does not fit, saying why", () => {
    const existing = [ref("v", "video_input"), ref("i1", "image_input")];
    const plan = planFiles([file("more.mp4", "video"), file("c.png", "image")], slots(existing), existing);
    expect(plan.placed.map((p) => [p.file.name, p.meaning])).toEqual([["c.png", "@image2"]]);
    expect(plan.refused.map((r) => r.reason)).toEqual(["more.mp4 did not fit: Input video (1 file) is full."]);
  });

  it("stops at the slot's limit within one drop", () => {
    const nine = Array.from({ length: 10 }, (_, i) => file(`${i}.png`, "image"));
    const plan = planFiles(nine, slots(), []);
    expect(plan.placed).toHaveLength(9);
    expect(plan.placed.at(-1)?.meaning).toBe("@image9");
    expect(plan.refused.map((r) => r.file.name)).toEqual(["9.png"]);
  });

  it("refuses a file the API does not accept, or a media no slot takes", () => {
    const nano = referenceSlots(form("nano-banana-pro"), null, "text-to-image", {}, []);
    const plan = planFiles([file("notes.txt", null), file("clip.mp4", "video")], nano, []);
    expect(plan.placed).toEqual([]);
    expect(plan.refused.map((r) => r.reason)).toEqual([
      "notes.txt is not an image or video the API accepts.",
      "clip.mp4 is a video; no slot here takes videos.",
    ]);
  });

  it("refuses a file Rust's pre-check refused (too large), with Rust's sentence, and still places the rest", () => {
    const nano = referenceSlots(form("nano-banana-pro"), null, "text-to-image", {}, []);
    const tooBig = "huge.png is 11.0 MB; images may be at most 10 MB.";
    const plan = planFiles([file("huge.png", "image", tooBig), file("ok.png", "image")], nano, []);
    expect(plan.refused.map((r) => r.reason)).toEqual([tooBig]);
    expect(plan.placed.map((p) => [p.file.name, p.slot])).toEqual([["ok.png", "image_input"]]);
  });

  it("only uses the target slot for its own 'Add files'", () => {
    const plan = planFiles([file("clip.mp4", "video")], slots(), [], "image_input");
    expect(plan.refused.map((r) => r.reason)).toEqual(["clip.mp4 is a video; Input images takes images."]);
  });

  it("takes no image in veo's text mode", () => {
    const veo = referenceSlots(form("veo-3.1-fast"), null, "text-to-video", { generationType: "TEXT_2_VIDEO" }, []);
    const plan = planFiles([file("a.png", "image")], veo, []);
    expect(plan.refused.map((r) => r.reason)).toEqual(["a.png was not added: Input images takes none in this mode."]);
  });

  it("asks for a model first when there are no slots", () => {
    const plan = planFiles([file("a.png", "image")], [], []);
    expect(plan.refused[0].reason).toBe("Pick a model first: a.png has no slot to go in.");
  });
});

describe("moveWithinSlot", () => {
  it("swaps with the neighbour of the same slot and stops at the ends", () => {
    const refs = [ref("a", "image_input"), ref("v", "video_input"), ref("b", "image_input")];
    expect(moveWithinSlot(refs, "b", -1).map((r) => r.id)).toEqual(["b", "v", "a"]);
    expect(moveWithinSlot(refs, "a", -1).map((r) => r.id)).toEqual(["a", "v", "b"]);
    expect(moveWithinSlot(refs, "v", 1).map((r) => r.id)).toEqual(["a", "v", "b"]);
  });
});
