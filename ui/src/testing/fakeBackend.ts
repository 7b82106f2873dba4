// An in-memory stand-in for the Rust commands, for component tests only. It follows the
// same rules as the real services (keys never come back, only hints) so tests can check
// what the UI sends and shows.
import { mockIPC } from "@tauri-apps/api/mocks";
import type { AppError } from "../lib/bindings/AppError";
import type { AppStateView } from "../lib/bindings/AppStateView";
import type { ProfileView } from "../lib/bindings/ProfileView";

export interface FakeBackend {
  calls: { cmd: string; args: unknown }[];
  keys: Map<string, string>;
  /** The fake server's accounts: credits per API key. */
  accounts: Map<string, number>;
  /** The CSP media origin per profile id (remote https profiles). */
  mediaOrigins: Map<string, string>;
  state(): AppStateView;
}

const hint = (key: string) => `${key.slice(0, 3)}…${key.slice(-4)}`;

export function installFakeBackend(): FakeBackend {
  const profiles: ProfileView[] = [
    {
      id: "sandbox",
      name: "Sandbox",
      kind: "sandbox",
      base_url: "http://127.0.0.1:4100",
      key_hint: "sk-…f00d",
      key_source: "keychain",
      active: true,
    },
  ];
  let activeId = "sandbox";
  let nextId = 1;
  const backend: FakeBackend = {
    calls: [],
    keys: new Map([["sandbox", "sk-sandbox-f00d"]]),
    accounts: new Map([["sk-sandbox-f00d", 500]]),
    mediaOrigins: new Map(),
    state: () => ({
      profiles: profiles.map((p) => ({ ...p, active: p.id === activeId })),
      active_id: activeId,
      keychain_problem: null,
      sandbox: { state: "running", base_url: "http://127.0.0.1:4100", warning: null },
      media_origin: backend.mediaOrigins.get(activeId) ?? null,
    }),
  };
  const invalidKey: AppError = {
    kind: "api",
    code: "invalid_api_key",
    message: "The API key was rejected by 127.0.0.1. Check it in Settings.",
  };
  const fail = (error: AppError) => {
    throw error;
  };
  const balanceFor = (key: string | undefined) => {
    const credits = key === undefined ? undefined : backend.accounts.get(key);
    return credits === undefined ? fail(invalidKey) : credits;
  };

  mockIPC((cmd, payload) => {
    const args = (payload as { args?: Record<string, string> } | undefined)?.args;
    backend.calls.push({ cmd, args });
    switch (cmd) {
      case "app_state":
        return backend.state();
      case "active_balance":
        return {
          profile_id: activeId,
          remaining_credits: balanceFor(backend.keys.get(activeId)),
          updated_at: null,
        };
      case "test_draft":
        return { base_url: args!.base_url, user_id: "u1", remaining_credits: balanceFor(args!.api_key) };
      case "test_profile":
        return { base_url: "https://x.example", user_id: "u1", remaining_credits: balanceFor(backend.keys.get(args!.id)) };
      case "add_profile": {
        if (!args!.base_url.startsWith("https://")) {
          fail({ kind: "invalid_input", code: null, message: "Use https:// for this host." });
        }
        const id = `p${nextId++}`;
        backend.keys.set(id, args!.api_key);
        const view: ProfileView = {
          id,
          name: args!.name,
          kind: "user",
          base_url: args!.base_url,
          key_hint: hint(args!.api_key),
          key_source: "keychain",
          active: false,
        };
        profiles.push(view);
        return view;
      }
      case "switch_profile":
        activeId = args!.id;
        return backend.state();
      case "delete_profile": {
        const index = profiles.findIndex((p) => p.id === args!.id);
        profiles.splice(index, 1);
        backend.keys.delete(args!.id);
        if (activeId === args!.id) activeId = "sandbox";
        return backend.state();
      }
      default:
        throw new Error(`the fake backend does not know ${cmd}`);
    }
  });
  return backend;
}
