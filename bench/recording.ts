// The recording path alone: TDP messages → DesktopRecorder → events → protostream parts appended to
// real files (FileStore under a temp dir). N sessions replay a capture concurrently as fast as the
// machine allows, each captured frame (a burst of tiles) arriving in its own event-loop turn.
//   bun bench/recording.ts [sessions...]      e.g. bun bench/recording.ts 1 8
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCanvas } from "@napi-rs/canvas";
import { ChainedAppendHandle } from "../src/evidence/chainWriter.ts";
import type { SigningKey } from "../src/evidence/signingKey.ts";
import { DesktopRecorder } from "../src/recording/desktopRecorder.ts";
import type { AuditJson } from "../src/recording/auditJson.ts";
import type { BlobStore } from "../src/storage/blobStore.ts";
import { FileStore } from "../src/storage/fileStore.ts";
import { blobKeys } from "../src/storage/sessionKeys.ts";
import { encodeMessage } from "../src/tdp/codec.ts";
import { MessageType } from "../src/tdp/messages.ts";
import { readTdpcap } from "../src/tdp/tdpcap.ts";
import { SAMPLE_CAPTURE } from "../test/support/corpusPath.ts";

export interface BenchRecordingOptions {
  /** Concurrent sessions (default 1). */
  sessions?: number;
  /** "sample": the corpus capture; "synthetic1080p": 1920x1080 frames of 64x64 PNG tiles (default "sample"). */
  source?: "sample" | "synthetic1080p";
  capturePath?: string;
  /** How many times each session replays the source (default 1). */
  loops?: number;
  /** For synthetic1080p: frames per loop and the share of the 510 tiles changing per frame (default 60, 0.3). */
  frames?: number;
  changedShare?: number;
  /** Replay speed relative to the capture's own timing (default Infinity: as fast as possible). */
  speed?: number;
  /** Paced runs: spread session starts over this much capture time, as real sessions are not in step (default 100 ms). */
  staggerMs?: number;
  /** Replay the source once, unmeasured, so the JIT has compiled the path as in a running server (default true). */
  warmup?: boolean;
  /** Where the recordings go (default: a FileStore under a temp dir). */
  store?: BlobStore;
  /** Hash-chain every stored part and sign it with this key, as the server does (default: no chain). */
  chainKey?: SigningKey;
}

export interface BenchRecordingResult {
  sessions: number;
  source: string;
  speed: number;
  messages: number;
  inputBytes: number;
  fileBytes: number;
  seconds: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** Receipt of a message → its part appended to the file, in ms. */
  durableLatencyMs: { p50: number; p99: number; max: number };
  /** Resident memory growth while the sessions ran, divided by the number of sessions. */
  rssPerSessionMB: number;
  lost: number;
  /** With chainKey: parts chained, and the time spent hashing and signing them on the recording path. */
  chain: { parts: number; busyMs: number; droppedLines: number } | null;
}

/** The messages that arrive together, and when (ms from the session start). */
interface Frame {
  atMs: number;
  messages: Uint8Array[];
}

function sampleFrames(path: string): Promise<Frame[]> {
  return Bun.file(path).bytes().then((bytes) => {
    const frames: Frame[] = [];
    for (const record of readTdpcap(bytes)) {
      const last = frames[frames.length - 1];
      if (last !== undefined && last.atMs === record.delayMs) last.messages.push(record.data);
      else frames.push({ atMs: record.delayMs, messages: [record.data] });
    }
    return frames;
  });
}

/** 1080p as 30x17 tiles of 64x64 (the last row 64x56); a share of them changes each frame. */
function syntheticFrames(count: number, changedShare: number): Frame[] {
  const variants = Array.from({ length: 16 }, (_, v) => {
    const canvas = createCanvas(64, 64);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = `hsl(${v * 22}, 60%, 50%)`;
    ctx.fillRect(0, 0, 64, 64);
    ctx.fillStyle = "#fff";
    ctx.font = "14px sans-serif";
    for (let line = 0; line < 4; line++) ctx.fillText(`row ${v} text ${line * 7}`, 2, 14 + line * 15);
    return new Uint8Array(canvas.toBuffer("image/png"));
  });
  const short = (() => {
    const canvas = createCanvas(64, 56);
    canvas.getContext("2d").fillRect(0, 0, 64, 56);
    return new Uint8Array(canvas.toBuffer("image/png"));
  })();
  const tile = (col: number, row: number, v: number): Uint8Array => {
    const height = row === 16 ? 56 : 64;
    const png = row === 16 ? short : (variants[v % variants.length] ?? short);
    return encodeMessage({ type: MessageType.PNGFrame, left: col * 64, top: row * 64, right: col * 64 + 64, bottom: row * 64 + height, png });
  };
  const frames: Frame[] = [{ atMs: 0, messages: [encodeMessage({ type: MessageType.ClientScreenSpec, width: 1920, height: 1080 })] }];
  for (let f = 0; f < count; f++) {
    const frame: Frame = { atMs: f * 100, messages: [] };
    for (let row = 0; row < 17; row++) {
      for (let col = 0; col < 30; col++) {
        if (f === 0 || ((row * 30 + col) * 7919 + f * 104_729) % 1000 < changedShare * 1000) frame.messages.push(tile(col, row, row + col + f));
      }
    }
    frame.messages.push(encodeMessage({ type: MessageType.MouseMove, x: f % 1920, y: f % 1080 }));
    frames.push(frame);
  }
  return frames;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One unmeasured replay into memory. */
async function warmUp(frames: Frame[]): Promise<void> {
  let size = 0;
  const handle = {
    key: "warmup", get size() { return size; },
    append: async (data: Uint8Array): Promise<void> => { size += data.length; },
    close: async (): Promise<void> => {}, abort: async (): Promise<void> => {},
  };
  const recorder = await DesktopRecorder.open({
    info: { sessionId: "warmup", user: "bench", login: "bench", desktopName: "warmup", desktopAddr: "127.0.0.1:3389", clusterName: "bench" },
    handle, auditLog: { emit: () => {} },
  });
  for (const frame of frames) {
    for (const message of frame.messages) await recorder.record(message);
    await nextTurn();
  }
  await recorder.close();
}

export async function benchRecording(options: BenchRecordingOptions = {}): Promise<BenchRecordingResult> {
  const sessions = options.sessions ?? 1;
  const source = options.source ?? "sample";
  const loops = options.loops ?? 1;
  const speed = options.speed ?? Number.POSITIVE_INFINITY;
  const frames = source === "sample"
    ? await sampleFrames(options.capturePath ?? SAMPLE_CAPTURE)
    : syntheticFrames(options.frames ?? 60, options.changedShare ?? 0.3);
  if (options.warmup ?? true) await warmUp(frames);
  const dir = await mkdtemp(join(tmpdir(), "deskreel-bench-rec-"));
  const store = options.store ?? new FileStore(dir);
  const auditLog = { emit: (_json: AuditJson): void => {} };
  const latencies: number[] = [];
  const chained: ChainedAppendHandle[] = [];
  let messages = 0;
  let inputBytes = 0;
  Bun.gc(true);
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const started = performance.now();
  try {
    const recorders = await Promise.all(
      Array.from({ length: sessions }, async (_, i) => {
        const sessionId = `bench-${i}-${crypto.randomUUID()}`;
        const keys = blobKeys(sessionId);
        const plain = await store.openAppend(keys.recording);
        const handle = options.chainKey ? new ChainedAppendHandle(plain, await store.openAppend(keys.chain), sessionId, options.chainKey, () => {}) : plain;
        if (handle instanceof ChainedAppendHandle) chained.push(handle);
        const recorder = await DesktopRecorder.open({
          info: { sessionId, user: "bench", login: "bench", desktopName: `desk-${i}`, desktopAddr: "127.0.0.1:3389", clusterName: "bench" },
          handle,
          auditLog,
        });
        recorder.onDurable((batch) => {
          const now = performance.now();
          for (const event of batch) latencies.push(now - event.receivedAt);
        });
        return recorder;
      }),
    );
    const stagger = options.staggerMs ?? 100;
    await Promise.all(
      recorders.map(async (recorder, i) => {
        const offsetMs = (stagger * i) / sessions;
        const loopMs = (frames[frames.length - 1]?.atMs ?? 0) + 100;
        for (let loop = 0; loop < loops; loop++) {
          for (const frame of frames) {
            if (Number.isFinite(speed)) {
              const due = started + (offsetMs + loop * loopMs + frame.atMs) / speed;
              if (due > performance.now()) await Bun.sleep(due - performance.now());
            }
            const at = Date.now();
            for (const message of frame.messages) {
              await recorder.record(message, { at });
              messages++;
              inputBytes += message.length;
            }
            rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
            await nextTurn();
          }
        }
      }),
    );
    const closed = await Promise.all(recorders.map((r) => r.close()));
    const seconds = (performance.now() - started) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    return {
      sessions, source, speed, messages, inputBytes,
      fileBytes: closed.reduce((n, s) => n + s.stream.bytesWritten, 0),
      seconds,
      messagesPerSecond: messages / seconds,
      megabytesPerSecond: inputBytes / 1e6 / seconds,
      durableLatencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0 },
      rssPerSessionMB: (rssPeak - rssBefore) / 1e6 / sessions,
      lost: closed.reduce((n, s) => n + s.writer.lost, 0),
      chain: options.chainKey
        ? chained.reduce((sum, h) => ({ parts: sum.parts + h.stats.parts, busyMs: sum.busyMs + h.stats.busyMs, droppedLines: sum.droppedLines + h.stats.droppedLines }), { parts: 0, busyMs: 0, droppedLines: 0 })
        : null,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function describe(r: BenchRecordingResult): string {
  const f = (n: number, d = 1): string => n.toFixed(d);
  return (
    `${r.sessions} session(s), ${r.source}, ${Number.isFinite(r.speed) ? `${r.speed}x speed` : "max speed"}: ${r.messages} msgs in ${f(r.seconds, 2)} s = ${f(r.messagesPerSecond, 0)} msg/s, ` +
    `${f(r.megabytesPerSecond)} MB/s in, ${f(r.fileBytes / 1e6)} MB written; receipt→durable p50 ${f(r.durableLatencyMs.p50, 2)} ms, ` +
    `p99 ${f(r.durableLatencyMs.p99, 2)} ms, max ${f(r.durableLatencyMs.max, 2)} ms; RSS +${f(r.rssPerSessionMB)} MB/session; lost ${r.lost}`
  );
}

if (import.meta.main) {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  for (const sessions of counts.length > 0 ? counts : [1, 8]) {
    // Throughput: as fast as possible. Latency: paced at 10x the capture's speed (under load, not
    // saturated), sessions staggered as real ones are, then all in step (the worst case).
    console.log(describe(await benchRecording({ sessions, loops: 3 })));
    console.log(describe(await benchRecording({ sessions, source: "synthetic1080p", loops: 2 })));
    console.log(describe(await benchRecording({ sessions, speed: 10 })));
    if (sessions > 1) console.log(`${describe(await benchRecording({ sessions, speed: 10, staggerMs: 0 }))} (in step)`);
  }
}
