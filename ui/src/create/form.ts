// How a ModelForm (made by Rust from the catalogue) becomes controls: which fields a scene
// shows, how a select's values map to <option>s, and how typed text becomes a value.
// Nothing here knows a model: every decision reads the form.
import type { Choice } from "../lib/bindings/Choice";
import type { FormControl } from "../lib/bindings/FormControl";
import type { FormField } from "../lib/bindings/FormField";
import type { ModelForm } from "../lib/bindings/ModelForm";
import { credits, formatNumber } from "../lib/numbers";

export type ControlOf<T extends FormControl["type"]> = Extract<FormControl, { type: T }>;
export type ReferenceField = FormField & { control: ControlOf<"references"> };
export type OptionField = FormField & { control: Exclude<FormControl, { type: "references" }> };

export const isReferenceField = (field: FormField): field is ReferenceField => field.control.type === "references";

/** Whether a field applies in `scene`; `null` (not known yet) shows everything. */
export function appliesIn(field: FormField, scene: string | null): boolean {
  return scene === null || field.scenes.length === 0 || field.scenes.includes(scene);
}

/** The option fields (not references) shown for `scene`, split into the ones always
 * visible and the ones behind "More options". */
export function optionFields(form: ModelForm, scene: string | null): { common: OptionField[]; more: OptionField[] } {
  const shown = form.fields.filter((f): f is OptionField => !isReferenceField(f) && appliesIn(f, scene));
  return { common: shown.filter((f) => f.common), more: shown.filter((f) => !f.common) };
}

/** The scene the form is drawn for: the one picked, else the one Rust inferred. */
export function effectiveScene(picked: string | null, inferred: string | null | undefined): string | null {
  return picked ?? inferred ?? null;
}

/** Models grouped by media type, in the catalogue's order. */
export function groupByMedia(models: ModelForm[]): { media: string; models: ModelForm[] }[] {
  const groups: { media: string; models: ModelForm[] }[] = [];
  for (const model of models) {
    const group = groups.find((g) => g.media === model.media_type);
    if (group) group.models.push(model);
    else groups.push({ media: model.media_type, models: [model] });
  }
  return groups;
}

export const mediaHeading = (media: string) => `${media.charAt(0).toUpperCase()}${media.slice(1)}`;

/** `<option>` value of a select entry; values may be numbers, the DOM wants text. */
export const choiceKey = (choice: Choice) => String(choice.value);
export const CUSTOM = "__custom__";
export const UNSET = "";

/** The text of a choice in the list, with the default marked. */
export const choiceText = (choice: Choice) => (choice.is_default ? `${choice.label} (default)` : choice.label);

/** What the <select> shows for a stored value: the default while nothing is set, a
 * choice, or "Custom…" for a value outside the list (non-strict selects only). */
export function selectKey(control: ControlOf<"select">, value: unknown): string {
  if (value === undefined || value === null || value === "") {
    const fallback = control.choices.find((c) => c.is_default);
    return fallback ? choiceKey(fallback) : UNSET;
  }
  const match = control.choices.find((c) => choiceKey(c) === String(value));
  if (match) return choiceKey(match);
  return control.strict ? String(value) : CUSTOM;
}

/** The value a select entry stands for (keeps numbers as numbers). */
export function valueOfKey(control: ControlOf<"select">, key: string): unknown {
  if (key === UNSET) return undefined;
  return control.choices.find((c) => choiceKey(c) === key)?.value ?? key;
}

/** Custom text typed for a non-strict select: a number when the list's values are numbers. */
export function customValue(control: ControlOf<"select">, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const numeric = control.choices.length > 0 && control.choices.every((c) => typeof c.value === "number");
  const number = Number(trimmed);
  return numeric && Number.isFinite(number) ? number : trimmed;
}

/** A number input's text as a value; `undefined` clears the option. */
export function numberValue(text: string): unknown {
  if (text.trim() === "") return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

/** "from 10,000 to 99,999", "at least 1", "up to 15"; empty when unbounded. */
export function rangeText(control: ControlOf<"number">): string {
  const { min, max } = control;
  if (min !== null && max !== null) return `from ${formatNumber(min)} to ${formatNumber(max)}`;
  if (min !== null) return `at least ${formatNumber(min)}`;
  if (max !== null) return `up to ${formatNumber(max)}`;
  return "";
}

// Kept importable from here: the create, activity and usage pages read them beside rangeText.
export { credits, formatNumber };
