// A Studio for component tests: no debounce delays, no page reloads, started against the
// fake backend and waited for until the draft, the catalogue and the tasks are there.
import { expect, vi } from "vitest";
import { render } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { AppStore } from "../shell/appStore.svelte";
import { Studio } from "../shell/studio.svelte";
import type { Timings } from "../create/composeStore.svelte";
import type { Draft } from "../lib/bindings/Draft";
import CreatePage from "../create/CreatePage.svelte";
import { emptyDraft, installFakeBackend, type FakeBackend } from "./fakeBackend";

export const FAST: Timings = { saveMs: 0, checkMs: 0, quoteMs: 0 };

const made: Studio[] = [];

/** A Studio whose app store never reloads the page; `disposeStudios` (after each test)
 * removes its listeners. */
export function testStudio(options: Omit<ConstructorParameters<typeof Studio>[0] & object, "app"> = {}): Studio {
  const studio = new Studio({ app: new AppStore(vi.fn()), ...options });
  made.push(studio);
  return studio;
}

/** Disposes every Studio `testStudio` made (test-setup.ts calls it after each test). */
export function disposeStudios(): void {
  for (const studio of made.splice(0)) studio.dispose();
}

export async function startStudio(timings: Timings = FAST): Promise<Studio> {
  const studio = testStudio({ timings });
  studio.start();
  await vi.waitFor(() => {
    expect(studio.drafts.loaded).toBe(true);
    expect(studio.catalogue.view).not.toBeNull();
    expect(studio.tasks.loaded).toBe(true);
  });
  return studio;
}

/** The Create page over a fresh fake backend whose saved draft is `draft` (none: a new one). */
export async function renderCreate(draft: Partial<Draft> | null, setup: (backend: FakeBackend) => void = () => undefined) {
  const backend = installFakeBackend();
  if (draft) backend.drafts.set("sandbox", { ...emptyDraft(), ...draft });
  setup(backend);
  const studio = await startStudio();
  render(CreatePage, { studio });
  return { backend, studio, user: userEvent.setup() };
}
