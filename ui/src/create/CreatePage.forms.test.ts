// The form renderer over every model × scene of the catalogue Rust ships
// (fixtures/catalogue.json), and the inline errors Rust's check gives each of them
// (fixtures/checks.json).
import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import { CATALOGUE, CHECKS, emptyDraft, installFakeBackend } from "../testing/fakeBackend";
import { renderCreate, startStudio } from "../testing/studio";
import type { FieldProblem } from "../lib/bindings/FieldProblem";
import { choiceText, isReferenceField } from "./form";
import CreatePage from "./CreatePage.svelte";

const combos = CATALOGUE.models.flatMap((form) => form.scenes.map((scene) => ({ form, scene })));

async function open(model: string, scene: string | null, prompt = "A lighthouse at dusk") {
  const opened = await renderCreate({ model, scene, prompt });
  await waitFor(() => expect(opened.studio.compose.check).not.toBeNull());
  return opened;
}

describe("the form renderer", () => {
  it("covers a model list with every kind of control", () => {
    const kinds = new Set(CATALOGUE.models.flatMap((m) => m.fields.map((f) => f.control.type)));
    expect([...kinds].sort()).toEqual(["number", "references", "select", "text", "toggle"]);
    expect(combos.length).toBeGreaterThan(20);
  });

  it.each(combos.map((c) => [c.form.model, c.scene, c] as const))(
    "%s in %s shows the scene's fields, common ones first, defaults marked",
    async (_model, _scene, { form, scene }) => {
      await open(form.model, scene);
      expect(screen.getByTestId("model-picker")).toHaveValue(form.model);
      expect(screen.getByTestId("model-description")).toHaveTextContent(form.description);
      expect(screen.getByTestId("scene-select")).toHaveValue(scene);
      const more = screen.queryByTestId("more-options");

      for (const field of form.fields) {
        const applies = field.scenes.length === 0 || field.scenes.includes(scene);
        if (isReferenceField(field)) {
          const slot = screen.queryByTestId(`slot-${field.key}`);
          expect(slot !== null, `slot ${field.key} shown in ${scene}`).toBe(applies);
          if (slot && field.control.max_items !== null && field.control.modes.length === 0) {
            expect(slot).toHaveTextContent(field.control.max_items === 1 ? "1 file" : `up to ${field.control.max_items}`);
          }
          continue;
        }
        const container = screen.queryByTestId(`field-${field.key}`);
        expect(container !== null, `field ${field.key} shown in ${scene}`).toBe(applies);
        if (!container) continue;
        expect(container).toHaveTextContent(field.label);
        expect(more?.contains(container) ?? false, `${field.key} behind More options`).toBe(!field.common);

        const input = within(container).getByTestId(`option-${field.key}`);
        const control = field.control;
        if (control.type === "select") {
          const texts = Array.from((input as HTMLSelectElement).options).map((o) => o.text);
          for (const choice of control.choices) expect(texts).toContain(choiceText(choice));
          const fallback = control.choices.find((c) => c.is_default);
          if (fallback) {
            expect(texts).toContain(`${fallback.label} (default)`);
            // Unset, the select shows the default the server will use.
            expect(input).toHaveValue(String(fallback.value));
          } else {
            expect(input).toHaveValue("");
          }
          expect(texts.includes("Custom…")).toBe(!control.strict);
        } else if (control.type === "toggle") {
          expect(input).toHaveAttribute("type", "checkbox");
          if (control.default !== null) {
            expect(container).toHaveTextContent(`(default: ${control.default ? "on" : "off"})`);
            expect((input as HTMLInputElement).checked).toBe(control.default);
          }
        } else if (control.type === "number") {
          expect(input).toHaveAttribute("type", "number");
          if (control.min !== null) expect(input).toHaveAttribute("min", String(control.min));
          if (control.max !== null) expect(input).toHaveAttribute("max", String(control.max));
          if (control.min !== null && control.max !== null) expect(container).toHaveTextContent(/from .* to /);
        } else if (control.type === "text" && control.default !== null) {
          expect(input).toHaveAttribute("placeholder", `${control.default} (default)`);
        }
      }
      expect(screen.queryByTestId("advanced-toggle") !== null).toBe(form.pass_through);
    },
  );
});

const fieldContainer = (field: string) => {
  if (field === "prompt") return screen.getByTestId("prompt").closest(".field") as HTMLElement;
  const key = field.replace(/^options\./, "");
  return screen.queryByTestId(`slot-${key}`) ?? screen.getByTestId(`field-${key}`);
};

describe("inline errors from Rust's check", () => {
  it.each(CHECKS.map((c) => [c.draft.model, c.draft.scene, c.draft.prompt === "" ? "no prompt" : "a prompt", c] as const))(
    "%s in %s with %s: each problem on its field, Generate says why",
    async (_m, _s, _p, fixture) => {
      await open(fixture.draft.model, fixture.draft.scene, fixture.draft.prompt);
      const problems: FieldProblem[] = fixture.check.problems;
      // An empty prompt nobody has touched is not painted red; leaving the box shows it.
      const untouchedEmpty = fixture.draft.prompt === "";
      const inline = untouchedEmpty ? problems.filter((p) => p.field !== "prompt") : problems;
      for (const problem of inline) {
        const error = within(fieldContainer(problem.field)).getByTestId(`error-${problem.field}`);
        expect(error).toHaveTextContent(problem.message);
      }
      expect(screen.queryAllByTestId(/^error-/)).toHaveLength(inline.length);
      if (untouchedEmpty && inline.length < problems.length) {
        screen.getByTestId("prompt").focus();
        screen.getByTestId("prompt").blur();
        const shown = await screen.findByTestId("error-prompt");
        expect(shown).toHaveTextContent(problems.find((p) => p.field === "prompt")!.message);
      }
      if (fixture.ready) {
        await waitFor(() => expect(screen.getByTestId("generate")).toBeEnabled());
        expect(screen.queryByTestId("generate-reason")).toBeNull();
      } else {
        expect(screen.getByTestId("generate")).toBeDisabled();
        expect(screen.getByTestId("generate-reason")).toHaveTextContent(problems[0].message);
      }
    },
  );

  it("opens More options and counts the problems hidden in it", async () => {
    const backend = installFakeBackend();
    backend.drafts.set("sandbox", { ...emptyDraft(), model: "nano-banana-2", scene: "text-to-image", prompt: "x" });
    backend.check = () => ({
      scene: "text-to-image",
      inferred: false,
      problems: [{ field: "options.output_format", code: "invalid_request", message: "output_format must be jpg or png." }],
      ignored: [],
    });
    const studio = await startStudio();
    render(CreatePage, { studio });
    const more = await screen.findByTestId("more-options");
    await waitFor(() => expect(more).toHaveAttribute("open"));
    expect(screen.getByTestId("more-options-problems")).toHaveTextContent("1 problem");
    expect(within(screen.getByTestId("field-output_format")).getByTestId("error-options.output_format")).toHaveTextContent(
      "output_format must be jpg or png.",
    );
  });

  it("lists a problem no control shows under the form", async () => {
    const backend = installFakeBackend();
    backend.drafts.set("sandbox", { ...emptyDraft(), model: "sora-2", scene: "text-to-video", prompt: "x" });
    backend.check = () => ({
      scene: "text-to-video",
      inferred: false,
      problems: [{ field: "options.mystery", code: "invalid_request", message: "mystery is not an option of sora-2." }],
      ignored: [],
    });
    const studio = await startStudio();
    render(CreatePage, { studio });
    expect(await screen.findByTestId("form-problems")).toHaveTextContent("mystery is not an option of sora-2.");
  });

  it("shows the inferred scene in Automatic", async () => {
    await open("nano-banana-pro", null);
    const select = screen.getByTestId("scene-select") as HTMLSelectElement;
    expect(select).toHaveValue("");
    expect(select.options[0].text).toBe("Automatic (text-to-image)");
    expect(Array.from(select.options).map((o) => o.value)).toEqual(["", "text-to-image", "image-to-image"]);
  });
});
