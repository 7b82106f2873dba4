import { call, IpcError, keychainFailures, toIpcError } from "../lib/ipc";
import { Listeners } from "../lib/listeners";
import type { AppStateView } from "../lib/bindings/AppStateView";
import type { BalanceView } from "../lib/bindings/BalanceView";
import type { ProfileView } from "../lib/bindings/ProfileView";

/** How often the header's balance refreshes while the window is open. */
export const BALANCE_REFRESH_MS = 15_000;
/** How often the state is re-read while the sandbox is still starting. */
const STARTING_POLL_MS = 400;

export interface ActiveChange {
  /** The active profile is a different one (or the first state arrived). */
  switched: boolean;
  profileId: string;
}

/** The shell's view of the app: profiles, the active one, and its balance. */
export class AppStore {
  state = $state<AppStateView | null>(null);
  loadError = $state<IpcError | null>(null);
  balance = $state<BalanceView | null>(null);
  balanceError = $state<IpcError | null>(null);
  balanceLoading = $state(false);

  active: ProfileView | null = $derived(
    this.state?.profiles.find((p) => p.id === this.state?.active_id) ?? null,
  );

  keychainRetrying = $state(false);
  keychainRetryError = $state<IpcError | null>(null);

  #startingTimer: ReturnType<typeof setTimeout> | null = null;
  #activeChanges = new Listeners<ActiveChange>();
  /** Runs before the active profile changes (the draft saves to the profile it belongs to). */
  beforeSwitch: () => Promise<void> = async () => undefined;
  /** The CSP media origin the page was loaded with; `undefined` until the first state. */
  #pageOrigin: string | null | undefined = undefined;

  /** Called when the active profile's host changes, so the page's CSP must be re-issued. */
  constructor(private readonly reloadPage: () => void = () => window.location.reload()) {
    // A command that met a locked or missing keychain: the app state now says so.
    keychainFailures.add(() => void this.load());
  }
  #balanceRequest = 0;

  async load(): Promise<void> {
    try {
      this.apply(await call("app_state"));
      this.loadError = null;
    } catch (error) {
      this.loadError = toIpcError(error);
    }
  }

  /** Takes a fresh state from a command and refreshes what depends on it. */
  apply(next: AppStateView): void {
    const switched = this.state?.active_id !== next.active_id;
    const sandboxWasStarting = this.state?.sandbox.state === "starting";
    if (this.#pageOrigin === undefined) {
      this.#pageOrigin = next.media_origin;
    } else if (this.#pageOrigin !== next.media_origin) {
      this.reloadPage();
      return;
    }
    this.state = next;
    if (next.sandbox.state === "starting") {
      this.#pollWhileStarting();
    }
    const started = sandboxWasStarting && next.sandbox.state !== "starting";
    if (switched || started) {
      if (switched) this.balance = null;
      void this.refreshBalance();
      this.#activeChanges.emit({ switched, profileId: next.active_id });
    }
  }

  /** Calls `listener` when the active profile changes (and on the first state), or when
   * the sandbox it uses has just started; returns the unsubscribe function. */
  onActiveChange(listener: (change: ActiveChange) => void): () => void {
    return this.#activeChanges.add(listener);
  }

  /** A balance reported by a creation reply or the tracker: newer than any fetch in flight. */
  setBalance(profileId: string, remaining: number): void {
    if (profileId !== this.state?.active_id) return;
    this.#balanceRequest++;
    this.balanceLoading = false;
    this.balanceError = null;
    this.balance = { profile_id: profileId, remaining_credits: remaining, updated_at: null };
  }

  /** "Try again" on the keychain notice: Rust probes the keychain afresh. */
  async retryKeychain(): Promise<void> {
    this.keychainRetrying = true;
    this.keychainRetryError = null;
    try {
      this.apply(await call("retry_keychain"));
      if (!this.state?.keychain) void this.refreshBalance();
    } catch (error) {
      this.keychainRetryError = toIpcError(error);
    } finally {
      this.keychainRetrying = false;
    }
  }

  async refreshBalance(): Promise<void> {
    const request = ++this.#balanceRequest;
    this.balanceLoading = true;
    try {
      const balance = await call("active_balance");
      if (request !== this.#balanceRequest) return;
      this.balance = balance;
      this.balanceError = null;
    } catch (error) {
      if (request !== this.#balanceRequest) return;
      this.balanceError = toIpcError(error);
    } finally {
      if (request === this.#balanceRequest) this.balanceLoading = false;
    }
  }

  async switchTo(id: string): Promise<void> {
    await this.beforeSwitch();
    this.apply(await call("switch_profile", { args: { id } }));
  }

  #pollWhileStarting(): void {
    if (this.#startingTimer) return;
    this.#startingTimer = setTimeout(() => {
      this.#startingTimer = null;
      void this.load();
    }, STARTING_POLL_MS);
  }
}
