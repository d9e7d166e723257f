// The terminal side of an SSH recording, read once for every player (the CLI's `play`, the web player's
// terminal route): output chunks and size changes, each at its recording time (ms since the first output).
import { parseTerminalSize, resizeTerminalSize, type TerminalSize } from "./terminalResize.ts";
import { type ProtostreamSource, readProtostream } from "./protostream.ts";

export type { TerminalSize };

export type TerminalEvent =
  | { kind: "start"; tMs: 0; size: TerminalSize | null }
  | { kind: "output"; tMs: number; data: Uint8Array }
  | { kind: "resize"; tMs: number; size: TerminalSize };

/** The recording is a desktop session: it has pictures, not terminal output. */
export class NotTerminalRecordingError extends Error {
  constructor() {
    super("a desktop recording, not a terminal one");
    this.name = "NotTerminalRecordingError";
  }
}

/**
 * The terminal events of a recording, in order. Output is placed by its recorded delay; a resize carries
 * no delay, so it is placed by its time after the first output (0 before any), as its timeline marker is.
 */
export async function* terminalEvents(source: ProtostreamSource): AsyncGenerator<TerminalEvent, void, undefined> {
  // Wall-clock time (ms) of recording time 0, known from the first output chunk.
  let originMs: number | null = null;
  let lastMs = 0;
  for await (const event of readProtostream(source)) {
    if (event.type === "desktop.recording" || event.type === "windows.desktop.session.start") throw new NotTerminalRecordingError();
    if (event.type === "session.start") {
      yield { kind: "start", tMs: 0, size: parseTerminalSize(event.terminalSize) };
    } else if (event.type === "print") {
      originMs ??= event.time.getTime() - event.delayMs;
      lastMs = Math.max(lastMs, event.delayMs);
      yield { kind: "output", tMs: event.delayMs, data: event.data };
    } else {
      const size = resizeTerminalSize(event);
      if (!size) continue;
      // Never before output already given: times only move forward.
      const tMs = originMs === null ? 0 : Math.max(lastMs, event.time.getTime() - originMs);
      lastMs = tMs;
      yield { kind: "resize", tMs, size };
    }
  }
}
