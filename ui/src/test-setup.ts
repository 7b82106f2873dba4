import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";
import { disposeStudios } from "./testing/studio";

// jsdom has no 2D canvas and says so on stderr at every call; the Usage chart checks for a
// context and leaves the canvas blank without one (its numbers are also in a table).
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

afterEach(() => {
  cleanup();
  disposeStudios();
  clearMocks();
  // The shell remembers the page for the session; every test starts on Create.
  sessionStorage.clear();
  localStorage.clear();
});
