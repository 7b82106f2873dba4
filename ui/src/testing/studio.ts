// A Studio for component tests: no debounce delays, no page reloads, started against the
// fake backend and waited for until the draft and the catalogue are there.
import { expect, vi } from "vitest";
import { AppStore } from "../shell/appStore.svelte";
import { Studio } from "../shell/studio.svelte";
import type { Timings } from "../create/composeStore.svelte";

export const FAST: Timings = { saveMs: 0, checkMs: 0, quoteMs: 0 };

export async function startStudio(timings: Timings = FAST): Promise<Studio> {
  const studio = new Studio({ app: new AppStore(vi.fn()), timings });
  studio.start();
  await vi.waitFor(() => {
    expect(studio.drafts.loaded).toBe(true);
    expect(studio.catalogue.view).not.toBeNull();
    expect(studio.tasks.loaded).toBe(true);
  });
  return studio;
}
