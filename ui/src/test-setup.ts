import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";

afterEach(() => {
  cleanup();
  clearMocks();
  // The shell remembers the page for the session; every test starts on Create.
  sessionStorage.clear();
  localStorage.clear();
});
