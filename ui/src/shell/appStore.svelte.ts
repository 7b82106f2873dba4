import { call, IpcError, toIpcError } from "../lib/ipc";
import { Listeners } from "../lib/listeners";
import type { AppStateView } from "../lib/bindings/AppStateView";
import type { BalanceView } from "../lib/bindings/BalanceView";
import type { ConnectionReport } from "../lib/bindings/ConnectionReport";
import type { ProfileView } from "../lib/bindings/ProfileView";

/** How often the header's balance refreshes while the window is visible. */
export const BALANCE_REFRESH_MS = 60_000;
/** The low-balance threshold until the settings are read (Rust's default too). */
export const DEFAULT_LOW_BALANCE = 50;
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
  /** Credits below which the balance is low: amber in the header, a warning in Create (0: off). */
  lowBalanceThreshold = $state(DEFAULT_LOW_BALANCE);
  /** The balance is known and below the threshold. */
  balanceLow = $derived(
    this.balance !== null && this.lowBalanceThreshold > 0 && this.balance.remaining_credits < this.lowBalanceThreshold,
  );

  active: ProfileView | null = $derived(
    this.state?.profiles.find((p) => p.id === this.state?.active_id) ?? null,
  );

  keychainRetrying = $state(false);
  keychainRetryError = $state<IpcError | null>(null);

  #startingTimer: ReturnType<typeof setTimeout> | null = null;
  #activeChanges = new Listeners<ActiveChange>();
  #balanceChanges = new Listeners<number>();
  // Not reactive state: hooks the studio wires, awaited in order before a switch.
  #beforeSwitch: (() => Promise<void>)[] = [];
  /** The CSP media origin the page was loaded with; `undefined` until the first state. */
  #pageOrigin: string | null | undefined = undefined;

  /** Called when the active profile's host changes, so the page's CSP must be re-issued. */
  constructor(private readonly reloadPage: () => void = () => window.location.reload()) {}
  #balanceRequest = 0;

  async load(): Promise<void> {
    void this.loadBalanceSettings();
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
    this.#balanceChanges.emit(remaining);
  }

  /** Calls `listener` with every new balance of the active profile (a price's "left
   * after" depends on it); returns the unsubscribe function. */
  onBalanceChange(listener: (remaining: number) => void): () => void {
    return this.#balanceChanges.add(listener);
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
      this.#balanceChanges.emit(balance.remaining_credits);
    } catch (error) {
      if (request !== this.#balanceRequest) return;
      this.balanceError = toIpcError(error);
    } finally {
      if (request === this.#balanceRequest) this.balanceLoading = false;
    }
  }

  async loadBalanceSettings(): Promise<void> {
    try {
      this.lowBalanceThreshold = (await call("balance_settings")).low_balance_threshold;
    } catch {
      // The default stays: the warning is a help, and Settings shows the stored value's error.
    }
  }

  /** Stores a new threshold (Rust refuses what is not a whole number of credits ≥ 0). */
  async setLowBalanceThreshold(credits: number): Promise<void> {
    const saved = await call("set_balance_settings", { args: { low_balance_threshold: credits } });
    this.lowBalanceThreshold = saved.low_balance_threshold;
  }

  /**
   * Keeps the balance fresh without polling a hidden window: every BALANCE_REFRESH_MS
   * while the page is visible, at once when it becomes visible again or the window gains
   * focus. Charges and refunds the app sees update it on their own (`setBalance`, and the
   * tracker's failed/refunded events). Returns the function that stops it.
   */
  watchBalance(doc: Document = document, win: Window = window): () => void {
    let timer: ReturnType<typeof setInterval> | null = null;
    let last = 0;
    const refresh = () => {
      // Focus and visibility often arrive together: one request for both.
      if (Date.now() - last < 1000) return;
      last = Date.now();
      void this.refreshBalance();
    };
    const start = () => {
      timer ??= setInterval(refresh, BALANCE_REFRESH_MS);
    };
    const stop = () => {
      if (timer) clearInterval(timer);
      timer = null;
    };
    const onvisibility = () => {
      if (doc.visibilityState === "visible") {
        refresh();
        start();
      } else {
        stop();
      }
    };
    if (doc.visibilityState === "visible") start();
    doc.addEventListener("visibilitychange", onvisibility);
    win.addEventListener("focus", refresh);
    return () => {
      stop();
      doc.removeEventListener("visibilitychange", onvisibility);
      win.removeEventListener("focus", refresh);
    };
  }

  /** Runs `hook` (and waits for it) before the active profile changes; returns the
   * function that removes it. */
  onBeforeSwitch(hook: () => Promise<void>): () => void {
    this.#beforeSwitch.push(hook);
    return () => {
      this.#beforeSwitch = this.#beforeSwitch.filter((h) => h !== hook);
    };
  }

  async switchTo(id: string): Promise<void> {
    for (const hook of this.#beforeSwitch) await hook();
    this.apply(await call("switch_profile", { args: { id } }));
  }

  // Settings → Profiles. Each change is Rust's to check; the state is read again after it.

  /** "Test connection" before a profile is saved. */
  testConnection(baseUrl: string, apiKey: string): Promise<ConnectionReport> {
    return call("test_draft", { args: { base_url: baseUrl, api_key: apiKey } });
  }

  /** "Test connection" of a saved profile. */
  testProfile(id: string): Promise<ConnectionReport> {
    return call("test_profile", { args: { id } });
  }

  async addProfile(name: string, baseUrl: string, apiKey: string): Promise<ProfileView> {
    const profile = await call("add_profile", { args: { name, base_url: baseUrl, api_key: apiKey } });
    void this.load();
    return profile;
  }

  /** Stores a new key for the profile (in the keychain). */
  async setProfileKey(id: string, apiKey: string): Promise<void> {
    await call("set_profile_key", { args: { id, api_key: apiKey } });
    void this.load();
  }

  /** Removes the profile's key from the keychain. */
  async removeProfileKey(id: string): Promise<void> {
    await call("delete_profile_key", { args: { id } });
    void this.load();
  }

  /** Deletes the profile and its key. */
  async deleteProfile(id: string): Promise<void> {
    this.apply(await call("delete_profile", { args: { id } }));
  }

  #pollWhileStarting(): void {
    if (this.#startingTimer) return;
    this.#startingTimer = setTimeout(() => {
      this.#startingTimer = null;
      void this.load();
    }, STARTING_POLL_MS);
  }
}
