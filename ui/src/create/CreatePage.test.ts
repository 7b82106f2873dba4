import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/svelte";
import { appError, CATALOGUE, type FakeBackend } from "../testing/fakeBackend";
import { renderCreate } from "../testing/studio";
import type { Draft } from "../lib/bindings/Draft";
import type { ModelForm } from "../lib/bindings/ModelForm";

async function open(setup: (backend: FakeBackend) => void = () => undefined, draft?: Partial<Draft>) {
  const opened = await renderCreate(draft ?? null, setup);
  await screen.findByTestId("prompt");
  return opened;
}

describe("Create", () => {
  it("opens with the prompt focused and the catalogue's first model for a new draft", async () => {
    const { studio } = await open();
    await waitFor(() => expect(screen.getByTestId("prompt")).toHaveFocus());
    expect(screen.getByTestId("model-picker")).toHaveValue(CATALOGUE.models[0].model);
    expect(studio.drafts.draft.model).toBe(CATALOGUE.models[0].model);
  });

  it("groups models by media type, shows each by id with its one-line description", async () => {
    const { user } = await open(undefined, { model: "nano-banana-pro", prompt: "x" });
    const picker = screen.getByTestId("model-picker") as HTMLSelectElement;
    const groups = Array.from(picker.querySelectorAll("optgroup"));
    expect(groups.map((g) => g.label)).toEqual(["Image", "Video", "Audio", "Music"]);
    expect(Array.from(groups[0].querySelectorAll("option")).map((o) => o.text)).toEqual([
      "nano-banana-2",
      "nano-banana-pro",
      "midjourney-v7",
    ]);
    expect(Array.from(groups[3].querySelectorAll("option")).map((o) => o.text)).toEqual(["suno-music-v5"]);
    expect(screen.getByTestId("model-description")).toHaveTextContent("High-quality image generation and editing.");
    await user.selectOptions(picker, "kling-2.6");
    expect(screen.getByTestId("model-description")).toHaveTextContent("Video from text or an image, 5 or 10 seconds");
  });

  it("refreshes the model list on demand and shows why the deployment's list could not be read", async () => {
    const { backend, user } = await open((b) => {
      b.catalogue = { ...b.catalogue, problem: appError("The model list could not be fetched; the built-in list is shown.", { kind: "network" }) };
    });
    expect(screen.getByTestId("catalogue-problem")).toHaveTextContent("the built-in list is shown");
    backend.catalogue = { ...backend.catalogue, problem: null };
    await user.click(screen.getByTestId("models-refresh"));
    await waitFor(() => expect(screen.queryByTestId("catalogue-problem")).toBeNull());
    expect(backend.calls.filter((c) => c.cmd === "catalogue").map((c) => c.args)).toEqual([{ refresh: false }, { refresh: true }]);
  });

  it("writes each control's value into the draft with its type, and checks it", async () => {
    const { backend, studio, user } = await open(undefined, { model: "seedance-1-pro", scene: "text-to-video", prompt: "x" });
    await user.selectOptions(screen.getByTestId("option-duration"), "10");
    expect(studio.drafts.draft.options.duration).toBe(10);
    // A non-strict select takes any value too.
    await user.selectOptions(screen.getByTestId("option-resolution"), "__custom__");
    await user.type(screen.getByTestId("option-resolution-custom"), "1440p");
    expect(studio.drafts.draft.options.resolution).toBe("1440p");
    await user.click(screen.getByText("More options", { exact: false }));
    await user.type(screen.getByTestId("option-seed"), "42");
    expect(studio.drafts.draft.options.seed).toBe(42);
    await user.click(screen.getByTestId("option-camera_fixed"));
    expect(studio.drafts.draft.options.camera_fixed).toBe(true);
    await user.clear(screen.getByTestId("option-seed"));
    expect("seed" in studio.drafts.draft.options).toBe(false);
    await user.type(screen.getByTestId("option-aspect_ratio"), "21:9");
    expect(studio.drafts.draft.options.aspect_ratio).toBe("21:9");
    await waitFor(() =>
      expect(backend.calls.filter((c) => c.cmd === "check_draft").at(-1)?.args).toMatchObject({
        draft: { options: { duration: 10, resolution: "1440p", camera_fixed: true, aspect_ratio: "21:9" } },
      }),
    );
  });

  it("offers recent prompts from the prompt box", async () => {
    const { studio, user } = await open((b) => {
      b.recentPrompts = [{ prompt: "A red fox in snow", used_ms: 2 }, { prompt: "Neon rain", used_ms: 1 }];
    });
    await user.click(screen.getByTestId("recent-prompts-toggle"));
    const list = await screen.findByTestId("recent-prompts");
    await waitFor(() => expect(within(list).getAllByTestId("recent-prompt")).toHaveLength(2));
    await user.click(within(list).getByText("Neon rain"));
    expect(screen.getByTestId("prompt")).toHaveValue("Neon rain");
    expect(studio.drafts.draft.prompt).toBe("Neon rain");
    expect(screen.queryByTestId("recent-prompts")).toBeNull();
  });

  it("gives a model only the deployment lists a generic form with Advanced (JSON)", async () => {
    const unknown: ModelForm = {
      model: "brand-new-model",
      label: "brand-new-model",
      description: "Listed by this deployment; its options are not known to the app.",
      media_type: "audio",
      scenes: [],
      prompt_required: false,
      known: false,
      pass_through: true,
      validation: "pass-through",
      fields: [],
      rules: [],
      seed_key: null,
    };
    const { studio, user } = await open(
      (b) => {
        b.catalogue = { ...b.catalogue, models: [...b.catalogue.models, unknown] };
        b.check = (d) => ({
          scene: null,
          inferred: true,
          problems: d.advanced.trim().startsWith("{") || d.advanced === "" ? [] : [{ field: "advanced", code: "invalid_json", message: "Advanced options are not valid JSON. Fix them or clear the box." }],
          ignored: [],
        });
      },
      { model: "brand-new-model", prompt: "a tune" },
    );
    expect(screen.getByTestId("model-description")).toHaveTextContent("generic form");
    expect(Array.from(screen.getByTestId("model-picker").querySelectorAll("optgroup")).map((g) => g.label)).toContain("Audio");
    expect(screen.getByTestId("prompt").closest(".field")).toHaveTextContent("(optional)");
    expect(screen.queryByTestId("advanced-json")).toBeNull();
    await user.click(screen.getByTestId("advanced-toggle"));
    await user.type(screen.getByTestId("advanced-json"), "tempo: 90");
    expect(studio.drafts.draft.advanced).toBe("tempo: 90");
    expect(await screen.findByTestId("error-advanced")).toHaveTextContent("Advanced options are not valid JSON.");
  });
});
