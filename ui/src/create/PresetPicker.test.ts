// The preset picker on Create: Save as preset… stores the form, Apply brings it back with
// the prompt kept or replaced, and a preset whose model is no longer listed says so and
// what was dropped.
import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/svelte";
import { emptyDraft } from "../testing/fakeBackend";
import { renderCreate } from "../testing/studio";
import type { Draft } from "../lib/bindings/Draft";

const ready = (over: Partial<Draft> = {}): Draft => ({
  ...emptyDraft(),
  model: "nano-banana-pro",
  scene: "text-to-image",
  prompt: "A lighthouse at dusk",
  batch: 3,
  ...over,
});

describe("presets", () => {
  it("saves the form under a name and applies it with the prompt replaced or kept", async () => {
    const { backend, studio, user } = await renderCreate(ready());
    await user.click(screen.getByTestId("preset-save"));
    await user.type(screen.getByTestId("preset-name"), "Dusk");
    await user.click(screen.getByTestId("preset-name-ok"));
    await waitFor(() => expect(screen.getByTestId("preset-message")).toHaveTextContent("Saved the preset Dusk."));
    expect(backend.presets.map((p) => [p.name, p.draft.prompt, p.draft.batch])).toEqual([["Dusk", "A lighthouse at dusk", 3]]);
    const id = String(backend.presets[0].id);
    expect((screen.getByTestId("preset-select") as HTMLSelectElement).value).toBe(id);

    // The form changes; applying brings the preset's prompt and Batch back.
    studio.drafts.edit((d) => {
      d.prompt = "Something else";
      d.batch = 1;
    });
    await user.click(screen.getByTestId("preset-apply"));
    await waitFor(() => expect(studio.drafts.draft.prompt).toBe("A lighthouse at dusk"));
    expect(studio.drafts.draft.batch).toBe(3);
    expect(screen.getByTestId("preset-message")).toHaveTextContent("Applied Dusk.");

    // Keep my prompt: the rest comes from the preset, the prompt stays as written.
    studio.drafts.edit((d) => {
      d.prompt = "My own words";
      d.batch = 2;
    });
    await user.click(screen.getByTestId("preset-keep-prompt"));
    await user.click(screen.getByTestId("preset-apply"));
    await waitFor(() => expect(studio.drafts.draft.batch).toBe(3));
    expect(studio.drafts.draft.prompt).toBe("My own words");
    expect(backend.calls.filter((c) => c.cmd === "apply_preset").map((c) => (c.args as { keep_prompt: boolean }).keep_prompt)).toEqual([
      false,
      true,
    ]);
  });

  it("marks a preset whose model is no longer listed and says what applying dropped", async () => {
    const { studio, user } = await renderCreate(ready(), (b) => {
      b.presets = [{ id: 7, name: "Old", draft: ready({ model: "retired-model", prompt: "Old words" }), model_missing: true, updated_ms: 0 }];
    });
    await waitFor(() => expect(screen.getByRole("option", { name: /Old — retired-model \(no longer listed\)/ })).toBeInTheDocument());
    await user.selectOptions(screen.getByTestId("preset-select"), "7");
    expect(screen.getByTestId("preset-missing")).toHaveTextContent("The deployment no longer lists retired-model");
    await user.click(screen.getByTestId("preset-apply"));
    await waitFor(() =>
      expect(screen.getByTestId("preset-message")).toHaveTextContent(
        "Applied Old without the model retired-model, which the deployment no longer lists.",
      ),
    );
    expect(studio.drafts.draft.model).toBe("nano-banana-pro");
    expect(studio.drafts.draft.prompt).toBe("Old words");
  });

  it("says why a name is refused", async () => {
    const { user } = await renderCreate(ready());
    await user.click(screen.getByTestId("preset-save"));
    await user.type(screen.getByTestId("preset-name"), "   ");
    await user.click(screen.getByTestId("preset-name-ok"));
    await waitFor(() => expect(screen.getByTestId("preset-message")).toHaveTextContent("Give the preset a name."));
    expect(screen.getByTestId("preset-name")).toBeInTheDocument();
  });
});
