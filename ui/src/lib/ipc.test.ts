import { describe, expect, it } from "vitest";
import { mockIPC } from "@tauri-apps/api/mocks";
import { call, IpcError, toIpcError } from "./ipc";

describe("call", () => {
  it("passes args under the `args` key and resolves with the result", async () => {
    let seen: unknown;
    mockIPC((cmd, payload) => {
      seen = { cmd, payload };
      return { profile_id: "sandbox", remaining_credits: 500, updated_at: null };
    });
    const balance = await call("active_balance");
    expect(balance.remaining_credits).toBe(500);
    expect(seen).toEqual({ cmd: "active_balance", payload: {} });
    await call("switch_profile", { args: { id: "p1" } }).catch(() => undefined);
    expect(seen).toEqual({ cmd: "switch_profile", payload: { args: { id: "p1" } } });
  });

  it("rejects with the typed error exactly as Rust sent it", async () => {
    mockIPC(() => {
      throw { kind: "api", code: "invalid_api_key", message: "The API key was rejected by x. Check it in Settings." };
    });
    const error = await call("active_balance").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject({
      kind: "api",
      code: "invalid_api_key",
      message: "The API key was rejected by x. Check it in Settings.",
    });
  });
});

describe("toIpcError", () => {
  it("turns anything else into an internal error with a sentence", () => {
    const error = toIpcError("boom");
    expect(error.kind).toBe("internal");
    expect(error.code).toBeNull();
    expect(error.message).toMatch(/boom.*\.$/);
  });
});
