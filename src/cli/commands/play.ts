// `deskreel play <id|file>`: plays an SSH recording in the terminal at its own pace, like `tsh play`:
// the output bytes exactly as recorded, with the recorded timing (scaled by --speed, idle gaps capped
// with --skip-idle). Ctrl-C stops cleanly.
import { NotTerminalRecordingError, terminalEvents } from "../../recording/terminalEvents.ts";
import { type OptionSpecs, type ParsedArgs, UsageError } from "../args.ts";
import type { CliContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { openRecordingInput } from "../recordingInput.ts";

export const PLAY_USAGE = `usage: deskreel play <id|file> [--speed N] [--skip-idle] [--max-idle S]
  --speed N      play N times faster (0.1..1000, default 1)
  --skip-idle    cap pauses in the output at --max-idle seconds (default 1)
  --max-idle S   the longest pause kept with --skip-idle
Writes the session's terminal output to stdout with its original timing. Ctrl-C stops.
Desktop recordings play as video: deskreel export <id>.`;

export const PLAY_OPTIONS: OptionSpecs = {
  speed: { type: "string" }, "skip-idle": { type: "boolean" }, "max-idle": { type: "string" },
};

export interface PlayTiming {
  speed: number;
  /** Longest pause kept (ms of recording time), or Infinity. */
  maxIdleMs: number;
}

/** When (ms after playback starts) a chunk recorded at `delayMs` is due, given the one before it. */
export class PlayClock {
  private lastDelay = 0;
  private dueMs = 0;

  constructor(private readonly timing: PlayTiming) {}

  next(delayMs: number): number {
    const gap = Math.min(Math.max(0, delayMs - this.lastDelay), this.timing.maxIdleMs);
    this.lastDelay = Math.max(this.lastDelay, delayMs);
    this.dueMs += gap / this.timing.speed;
    return this.dueMs;
  }
}

/** Waits `ms` unless stopped first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function writeOut(data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

export async function playCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [ref, extra] = args.positionals;
  if (ref === undefined) throw new UsageError("which recording? give an id or a file");
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
  const speed = args.number("speed", 1, 0.1, 1000);
  const maxIdleS = args.number("max-idle", 1, 0, 3600);
  if (args.string("max-idle") !== undefined && !args.flag("skip-idle")) throw new UsageError("--max-idle goes with --skip-idle");
  const clock = new PlayClock({ speed, maxIdleMs: args.flag("skip-idle") ? maxIdleS * 1000 : Infinity });

  const input = await openRecordingInput(ref, ctx);
  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  process.on("SIGINT", onSigint);
  const startedAt = performance.now();
  let chunks = 0;
  try {
    for await (const event of terminalEvents(input.stream)) {
      if (stop.signal.aborted) break;
      if (event.kind !== "output") continue;
      await sleep(clock.next(event.tMs) - (performance.now() - startedAt), stop.signal);
      if (stop.signal.aborted) break;
      await writeOut(event.data);
      chunks++;
    }
  } catch (err) {
    if (err instanceof NotTerminalRecordingError) {
      throw new CliError(`${input.describe} is a desktop recording; it plays as video: deskreel export ${input.id ?? "<id>"}`);
    }
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
    await input.stream.cancel().catch(() => undefined);
    await input.close();
    // Leave the terminal as we found it: colours reset, cursor shown.
    if (ctx.stdout.isTTY) ctx.stdout.write("\x1b[0m\x1b[?25h\r\n");
  }
  if (stop.signal.aborted) ctx.stderr.write(`stopped after ${chunks} chunk(s)\n`);
  else if (chunks === 0) ctx.stderr.write("the recording holds no terminal output\n");
  return 0;
}
