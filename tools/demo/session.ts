// A whole demo session as timed TDP messages: ClientScreenSpec, tile bursts about every 100 ms
// whenever the picture changed, pointer/clipboard/alert messages at their own times, and the one
// resize (a new ClientScreenSpec followed by the whole screen). Generated offline, as fast as possible.
import { encodeMessage } from "../../src/tdp/codec.ts";
import { MessageType } from "../../src/tdp/messages.ts";
import { writeTdpcap, type TdpcapRecord } from "../../src/tdp/tdpcap.ts";
import type { PngEncoderKind } from "./pngTile.ts";
import { Rng } from "./random.ts";
import { DesktopScene, type SceneOptions } from "./scene.ts";
import { stateKey } from "./sceneState.ts";
import { Tiler } from "./tiler.ts";

export interface DemoSessionOptions {
  width: number;
  height: number;
  durationS: number;
  seed: number;
  /** Screen captures per second (default 10, like the gateway). */
  fps?: number;
  resizeTo?: SceneOptions["resizeTo"];
  login?: string;
  encoder?: PngEncoderKind;
}

export interface DemoRecord {
  /** Milliseconds since the session start (absolute, non-decreasing). */
  delayMs: number;
  data: Uint8Array;
}

export interface DemoStats {
  messages: number;
  bytes: number;
  tiles: number;
  frames: number;
  durationMs: number;
}

/** Capture times: every 1000/fps ms with a little jitter, plus the exact resize moment. */
function* frameTimes(durationMs: number, fps: number, resizeAtMs: number, rng: Rng): Generator<number> {
  const interval = 1000 / fps;
  const jitter = Math.round(interval * 0.1);
  let resizePending = true;
  for (let t = 0; t <= durationMs; ) {
    yield t;
    let next = Math.round(t + interval + rng.int(-jitter, jitter));
    if (resizePending && resizeAtMs > t && resizeAtMs < next) {
      next = resizeAtMs;
      resizePending = false;
    }
    t = Math.max(t + 1, next);
  }
}

/** The session's records in order, synchronously; `stats` is filled in as they are produced. */
export function* demoSessionRecords(opts: DemoSessionOptions, stats?: DemoStats): Generator<DemoRecord> {
  const fps = opts.fps ?? 10;
  if (!(fps > 0 && fps <= 60)) throw new RangeError(`fps must be in (0, 60], got ${fps}`);
  const scene = new DesktopScene(opts);
  const tiler = new Tiler({ seed: opts.seed, encoder: opts.encoder });
  const input = scene.input;
  const counts: DemoStats = stats ?? { messages: 0, bytes: 0, tiles: 0, frames: 0, durationMs: 0 };
  const out = (delayMs: number, data: Uint8Array): DemoRecord => {
    counts.messages++;
    counts.bytes += data.length;
    counts.durationMs = delayMs;
    return { delayMs, data };
  };

  let inputIndex = 0;
  let size = { width: 0, height: 0 };
  let lastKey = "";
  const times = [...frameTimes(scene.durationMs, fps, scene.resize.atMs, new Rng(opts.seed ^ 0xf4a3e))];
  for (const [i, t] of times.entries()) {
    const state = scene.stateAt(t);
    if (state.size.width !== size.width || state.size.height !== size.height) {
      size = state.size;
      tiler.reset();
      lastKey = "";
      yield out(t, encodeMessage({ type: MessageType.ClientScreenSpec, width: size.width, height: size.height }));
    }
    const key = stateKey(state);
    if (key !== lastKey) {
      lastKey = key;
      const tiles = tiler.tiles(scene.frameOf(state));
      counts.frames++;
      counts.tiles += tiles.length;
      for (const tile of tiles) yield out(t, tile);
    }
    const until = i + 1 < times.length ? times[i + 1] : Number.POSITIVE_INFINITY;
    for (; inputIndex < input.length && input[inputIndex].t < until; inputIndex++) {
      yield out(input[inputIndex].t, encodeMessage(input[inputIndex].message));
    }
  }
}

/** The whole session's TDP messages with their times, generated offline. */
export async function* generateDemoSession(opts: DemoSessionOptions, stats?: DemoStats): AsyncGenerator<DemoRecord> {
  yield* demoSessionRecords(opts, stats);
}

/** Generates a session and stores it as a .tdpcap file (`u32 delay_ms | u32 length | message` records). */
export async function writeDemoCapture(path: string, opts: DemoSessionOptions): Promise<DemoStats> {
  const stats: DemoStats = { messages: 0, bytes: 0, tiles: 0, frames: 0, durationMs: 0 };
  const records: TdpcapRecord[] = [];
  for (const record of demoSessionRecords(opts, stats)) {
    records.push(record);
    // Canvas readback buffers are freed only when the event loop turns: let it turn, or a long
    // session holds every frame's pixels at once (~8 MB each at 1080p).
    if (records.length % 50 === 0) await Bun.sleep(0);
  }
  await Bun.write(path, writeTdpcap(records));
  return stats;
}
