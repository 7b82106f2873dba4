import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";
import { disposeStudios } from "./testing/studio";

// jsdom has no 2D canvas and says so on stderr at every call; the Usage chart checks for a
// context and leaves the canvas blank without one (its numbers are also in a table).
HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;

// jsdom has no modal <dialog> (showModal, close, Escape as a close request). Just enough of
// the platform for the app's dialogs: `open` reflects the state, a stack of modals, and
// Escape sends `cancel` to the topmost one, which closes it unless the page prevents that
// (as the webview does; tests/e2e checks the real one). Not inertness or the top layer.
const modals: HTMLDialogElement[] = [];
if (!HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
    if (this.open) throw new DOMException("The dialog is already open.", "InvalidStateError");
    this.setAttribute("open", "");
    modals.push(this);
  };
  HTMLDialogElement.prototype.show = function (this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close = function (this: HTMLDialogElement, returnValue?: string) {
    if (!this.open) return;
    this.removeAttribute("open");
    if (returnValue !== undefined) this.returnValue = returnValue;
    modals.splice(modals.indexOf(this), 1);
    this.dispatchEvent(new Event("close"));
  };
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    const top = modals.filter((dialog) => dialog.isConnected).at(-1);
    if (top && top.dispatchEvent(new Event("cancel", { cancelable: true }))) top.close();
  });
}

afterEach(() => {
  modals.length = 0;
  cleanup();
  disposeStudios();
  clearMocks();
  // The shell remembers the page for the session; every test starts on Create.
  sessionStorage.clear();
  localStorage.clear();
});
