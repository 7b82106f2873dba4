import { describe, expect, it } from "vitest";
import { mockIPC } from "@tauri-apps/api/mocks";
import { call, IpcError, stream, toIpcError } from "./ipc";
import { isChannel, send, type AnyChannel } from "../testing/channels";
import type { UploadEvent } from "./bindings/UploadEvent";

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

  it("rejects with the typed error exactly as Rust sent it, detail included", async () => {
    mockIPC(() => {
      throw {
        kind: "keychain",
        code: null,
        message: "The keychain is locked.",
        detail: "SS error: result not returned from SS API",
      };
    });
    const error = await call("active_balance").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject({
      kind: "keychain",
      code: null,
      message: "The keychain is locked.",
      detail: "SS error: result not returned from SS API",
    });
  });
});

describe("stream", () => {
  it("hands a channel next to the args and delivers its events in Rust's order", async () => {
    let payload: Record<string, unknown> = {};
    let channel: AnyChannel | undefined;
    mockIPC((_cmd, p) => {
      payload = p as Record<string, unknown>;
      channel = isChannel(payload.channel) ? payload.channel : undefined;
      return new Promise(() => undefined);
    });
    const events: UploadEvent[] = [];
    void stream("upload_reference", (e) => events.push(e), {
      args: { upload_id: "u1", path: "/tmp/a.png", slot: "image_input", media: "image" },
    });
    await Promise.resolve();
    expect(payload.args).toEqual({ upload_id: "u1", path: "/tmp/a.png", slot: "image_input", media: "image" });
    expect(channel).toBeDefined();
    // The second message arrives first: the channel holds it until the first one is there.
    send(channel!, { type: "progress", upload_id: "u1", sent: 10, total: 20 }, 1);
    expect(events).toEqual([]);
    send(channel!, { type: "started", upload_id: "u1", file_name: "a.png", size: 20, media: "image" }, 0);
    expect(events.map((e) => e.type)).toEqual(["started", "progress"]);
  });

  it("rejects with the typed error", async () => {
    mockIPC(() => {
      throw { kind: "canceled", code: null, message: "The upload was cancelled.", detail: null };
    });
    const error = await stream("watch_drops", () => undefined).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "canceled", message: "The upload was cancelled." });
  });
});

describe("toIpcError", () => {
  it("turns anything else into an internal error with a sentence and the cause as detail", () => {
    const error = toIpcError("boom");
    expect(error.kind).toBe("internal");
    expect(error.code).toBeNull();
    expect(error.message).toMatch(/\.$/);
    expect(error.detail).toBe("boom");
  });
});
