import { Listeners } from "./listeners";
import { Channel, invoke } from "@tauri-apps/api/core";
import type { Commands } from "./bindings/commands";
import type { AppError } from "./bindings/AppError";
import type { ErrorKind } from "./bindings/ErrorKind";

export type CommandName = keyof Commands;
type ArgsOf<K extends CommandName> = Commands[K]["args"];
type ResultOf<K extends CommandName> = Commands[K]["result"];
/** The commands that stream events over a `tauri::ipc::Channel`. */
export type StreamingCommand = {
  [K in CommandName]: Commands[K]["channel"] extends null ? never : K;
}[CommandName];
/** The commands that answer once, without a channel. */
export type PlainCommand = Exclude<CommandName, StreamingCommand>;
export type EventOf<K extends StreamingCommand> = NonNullable<Commands[K]["channel"]>;

/** An error from a command, exactly as the Rust side described it. */
export class IpcError extends Error {
  readonly kind: ErrorKind;
  readonly code: string | null;
  /** The technical cause, for a "Details" disclosure; `message` stands on its own. */
  readonly detail: string | null;

  constructor(error: AppError) {
    super(error.message);
    this.name = "IpcError";
    this.kind = error.kind;
    this.code = error.code;
    this.detail = error.detail ?? null;
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
    message: "The app could not complete the request. Restart it if this keeps happening.",
    detail: message,
  });
}

/**
 * Told about every keychain failure any command met, so the shell can show its one
 * keychain notice (Rust keeps the problem in the app state) wherever the user acted.
 */
export const keychainFailures = new Listeners<IpcError>();

function failed(error: unknown): IpcError {
  const failure = toIpcError(error);
  if (failure.kind === "keychain" || failure.kind === "keychain_unavailable") keychainFailures.emit(failure);
  return failure;
}

/** Calls a Tauri command with typed arguments and result. */
export async function call<K extends PlainCommand>(
  command: K,
  ...args: ArgsOf<K> extends null ? [] : [ArgsOf<K>]
): Promise<ResultOf<K>> {
  try {
    return await invoke<ResultOf<K>>(command, (args[0] ?? {}) as Record<string, unknown>);
  } catch (error) {
    throw failed(error);
  }
}

/**
 * Calls a command that streams events: `onevent` receives each event, in the order Rust
 * sent it (Tauri's `Channel` reorders by index), for as long as Rust keeps the channel;
 * the promise settles with the command's own result.
 */
export async function stream<K extends StreamingCommand>(
  command: K,
  onevent: (event: EventOf<K>) => void,
  ...args: ArgsOf<K> extends null ? [] : [ArgsOf<K>]
): Promise<ResultOf<K>> {
  const channel = new Channel<EventOf<K>>(onevent);
  try {
    return await invoke<ResultOf<K>>(command, { ...(args[0] ?? {}), channel });
  } catch (error) {
    throw failed(error);
  }
}
