// Reference slots: which slots a form shows, what each position means, how many files
// each takes, and where new files land (the drop zone, "Paste" and "Add files" all use
// `planFiles`, so a file goes where the overlay said it would).
import type { DraftReference } from "../lib/bindings/DraftReference";
import type { ModelForm } from "../lib/bindings/ModelForm";
import type { PickedFile } from "../lib/bindings/PickedFile";
import type { ReferenceMedia } from "../lib/bindings/ReferenceMedia";
import { appliesIn, isReferenceField, type ControlOf } from "./form";

export interface SlotView {
  /** The option the slot feeds (`image_input`, `end_image_url`…). */
  key: string;
  label: string;
  help: string;
  media: ReferenceMedia;
  single: boolean;
  min: number | null;
  /** Most files the slot takes; `null`: no limit. */
  max: number | null;
  /** Position meanings (`{n}` counts from 1; the last entry repeats). */
  meanings: string[];
  required: boolean;
  /** Shown only because it still holds files: the picked scene does not use it. */
  unused: boolean;
}

/** Counts and meanings of a references control, given the mode option's value (veo's
 * `generationType` changes both). */
export function slotRules(
  control: ControlOf<"references">,
  options: Record<string, unknown>,
): { min: number | null; max: number | null; meanings: string[] } {
  const mode = control.modes.find((m) => options[m.key] !== undefined && String(options[m.key]) === m.value);
  if (mode) return { min: mode.min_items, max: mode.max_items, meanings: mode.slots };
  return { min: control.min_items, max: control.max_items ?? (control.single ? 1 : null), meanings: control.slots };
}

/** What position `index` (0-based) of a slot means: "first frame", "@image2", "3". */
export function meaningAt(meanings: string[], index: number): string {
  if (meanings.length === 0) return String(index + 1);
  const template = meanings[Math.min(index, meanings.length - 1)];
  return template.replaceAll("{n}", String(index + 1));
}

/** "up to 9", "1 file", "none in this mode"; empty without a limit. */
export function limitText(slot: Pick<SlotView, "max">): string {
  if (slot.max === null) return "";
  if (slot.max === 0) return "none in this mode";
  if (slot.max === 1) return "1 file";
  return `up to ${slot.max}`;
}

export const capacity = (slot: Pick<SlotView, "max">) => slot.max ?? Number.POSITIVE_INFINITY;

/**
 * The slots to draw. With a picked scene, the slots that scene uses; in Automatic, every
 * slot of the model, because adding a file is how the user moves from text-to-X to
 * image-to-X. A slot that still holds files is always drawn, so they can be removed.
 */
export function referenceSlots(
  form: ModelForm | null,
  pickedScene: string | null,
  effectiveScene: string | null,
  options: Record<string, unknown>,
  references: DraftReference[],
): SlotView[] {
  if (!form) return [];
  const slots: SlotView[] = [];
  for (const field of form.fields) {
    if (!isReferenceField(field)) continue;
    const applies = pickedScene === null || appliesIn(field, pickedScene);
    const holds = references.some((r) => r.slot === field.key);
    if (!applies && !holds) continue;
    const rules = slotRules(field.control, options);
    slots.push({
      key: field.key,
      label: field.label,
      help: field.help,
      media: field.control.media,
      single: field.control.single,
      ...rules,
      required: effectiveScene !== null && field.required_for.includes(effectiveScene),
      unused: !applies,
    });
  }
  return slots;
}

export interface PlannedFile {
  file: PickedFile & { media: ReferenceMedia };
  slot: string;
  slotLabel: string;
  /** The meaning of the position it takes ("first frame"). */
  meaning: string;
}

export interface RefusedFile {
  file: PickedFile;
  reason: string;
}

const an = (media: ReferenceMedia) => (media === "image" ? "an image" : "a video");
const plural = (media: ReferenceMedia) => (media === "image" ? "images" : "videos");

/**
 * Where each file goes: the first slot (or the `target` slot) that takes its media and
 * still has room, counting the files already there and the ones placed before it.
 * Files that fit nowhere come back with a sentence saying why.
 */
export function planFiles(
  files: PickedFile[],
  slots: SlotView[],
  references: DraftReference[],
  target?: string,
): { placed: PlannedFile[]; refused: RefusedFile[] } {
  const placed: PlannedFile[] = [];
  const refused: RefusedFile[] = [];
  const used = new Map<string, number>();
  for (const slot of slots) used.set(slot.key, references.filter((r) => r.slot === slot.key).length);
  const candidates = slots.filter((s) => !s.unused && (target === undefined || s.key === target));

  for (const file of files) {
    const media = file.media;
    // Rust ran the upload's pre-checks (type, size) on the file: its sentence names it.
    if (file.problem !== null) {
      refused.push({ file, reason: file.problem });
      continue;
    }
    if (media === null) {
      refused.push({ file, reason: `${file.name} is not an image or video the API accepts.` });
      continue;
    }
    if (slots.length === 0) {
      refused.push({ file, reason: `Pick a model first: ${file.name} has no slot to go in.` });
      continue;
    }
    const sameMedia = candidates.filter((s) => s.media === media);
    if (sameMedia.length === 0) {
      const other = candidates[0];
      const reason =
        target !== undefined && other
          ? `${file.name} is ${an(media)}; ${other.label} takes ${plural(other.media)}.`
          : `${file.name} is ${an(media)}; no slot here takes ${plural(media)}.`;
      refused.push({ file, reason });
      continue;
    }
    const accepting = sameMedia.filter((s) => capacity(s) > 0);
    if (accepting.length === 0) {
      refused.push({ file, reason: `${file.name} was not added: ${sameMedia[0].label} takes none in this mode.` });
      continue;
    }
    const slot = accepting.find((s) => (used.get(s.key) ?? 0) < capacity(s));
    if (!slot) {
      const limits = accepting.map((s) => `${s.label} (${limitText(s)})`).join(", ");
      refused.push({ file, reason: `${file.name} did not fit: ${limits} ${accepting.length === 1 ? "is" : "are"} full.` });
      continue;
    }
    const position = used.get(slot.key) ?? 0;
    used.set(slot.key, position + 1);
    placed.push({ file: { ...file, media }, slot: slot.key, slotLabel: slot.label, meaning: meaningAt(slot.meanings, position) });
  }
  return { placed, refused };
}

/** The references of one slot, in order. */
export const inSlot = (references: DraftReference[], key: string) => references.filter((r) => r.slot === key);

/** The draft's references with `id` moved `delta` places within its own slot. */
export function moveWithinSlot(references: DraftReference[], id: string, delta: number): DraftReference[] {
  const from = references.findIndex((r) => r.id === id);
  if (from < 0) return references;
  const slot = references[from].slot;
  const sameSlot = references.map((r, i) => (r.slot === slot ? i : -1)).filter((i) => i >= 0);
  const position = sameSlot.indexOf(from);
  const to = sameSlot[position + delta];
  if (to === undefined) return references;
  const next = [...references];
  [next[from], next[to]] = [next[to], next[from]];
  return next;
}
