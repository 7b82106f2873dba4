import { invoke } from "@tauri-apps/api/core";
import type { Commands } from "./bindings/commands";
import type { AppError } from "./bindings/AppError";
import type { ErrorKind } from "./bindings/ErrorKind";

export type CommandName = keyof Commands;
type ArgsOf<K extends CommandName> = Commands[K]["args"];
type ResultOf<K extends CommandName> = Commands[K]["result"];

/** An error from a command, exactly as the Rust side described it. */
export class IpcError extends Error {
  readonly kind: ErrorKind;
  readonly code: string | null;

  constructor(error: AppError) {
    super(error.message);
    this.name = "IpcError";
    this.kind = error.kind;
    this.code = error.code;
  }
}

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AppError).kind === "string" &&
    typeof (value as AppError).message === "string"
  );
}

/** Whatever a command rejected with, as an IpcError the UI can show as it is. */
export function toIpcError(value: unknown): IpcError {
  if (value instanceof IpcError) return value;
  if (isAppError(value)) return new IpcError(value);
  const message = value instanceof Error ? value.message : String(value);
  return new IpcError({
    kind: "internal",
    code: null,
    message: `The app could not complete the request (${message}). Restart it if this keeps happening.`,
  });
}

/** Calls a Tauri command with typed arguments and result. */
export async function call<K extends CommandName>(
  command: K,
  ...args: ArgsOf<K> extends null ? [] : [ArgsOf<K>]
): Promise<ResultOf<K>> {
  try {
    return await invoke<ResultOf<K>>(command, (args[0] ?? {}) as Record<string, unknown>);
  } catch (error) {
    throw toIpcError(error);
  }
}
