// Video benchmark: (1) frames/s of our encoder (h264-mp4-encoder, in a worker) vs ffmpeg libx264
// (-preset ultrafast -threads 1) on the same raw RGBA frames, at 1280x720 (the sample capture's real
// frames) and 1920x1080 (a synthetic scrolling desktop); (2) how many live sessions replayed at real
// time the VideoPool sustains with encode lag p99 < 2 s.
//
// `bun bench/video.ts` prints the result; benchVideo() returns it. This file is also the worker that
// runs our encoder for part (1).
import { createCanvas } from "@napi-rs/canvas";
import { readTdpcap, type TdpcapRecord } from "../src/tdp/tdpcap.ts";
import { Compositor } from "../src/video/compose/compositor.ts";
import { FrameScheduler } from "../src/video/compose/scheduler.ts";
import { HmeH264Encoder } from "../src/video/encoder/hmeEncoder.ts";
import { VideoPool } from "../src/video/pool/videoPool.ts";
import { SAMPLE_CAPTURE } from "../test/support/corpusPath.ts";
import { decodePicture } from "../src/tdp/picture.ts";
import { errorMessage } from "../src/errorMessage.ts";

export interface BenchVideoOptions {
  capturePath?: string;
  /** Frames of the 1080p synthetic clip. Default 60. */
  frames1080?: number;
  /** At most this many real frames from the capture at 720p. Default 120 (all of the sample). */
  maxFrames720?: number;
  /** Part of the capture replayed per live session, ms. Default 20000. */
  replayMs?: number;
  /** Session counts to try, ascending; stops after the first that misses the lag target. */
  sessionCounts?: number[];
  /** Pool size (default: cores). */
  workers?: number;
  log?: (line: string) => void;
}

export interface EncoderComparison {
  clip: string;
  width: number;
  height: number;
  frames: number;
  oursFps: number;
  oursBytes: number;
  x264Fps: number;
  x264Bytes: number;
  /** oursFps / x264Fps. */
  ratio: number;
}

export interface ConcurrencyRun {
  sessions: number;
  p99LagMs: number;
  maxLagMs: number;
  /** Frames per second of session time, averaged over sessions. */
  framesPerSessionSecond: number;
  droppedFrames: number;
  failed: number;
  sustained: boolean;
}

export interface BenchVideoResult {
  encoders: EncoderComparison[];
  concurrency: ConcurrencyRun[];
  /** Largest tried session count with p99 lag < 2 s. */
  maxRealtimeSessions: number;
}

const LAG_TARGET_MS = 2000;
const KEY_EVERY = 30;

interface RawClip {
  name: string;
  width: number;
  height: number;
  frames: Uint8Array[];
}

export async function benchVideo(opts: BenchVideoOptions = {}): Promise<BenchVideoResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const records = readTdpcap(new Uint8Array(await Bun.file(opts.capturePath ?? SAMPLE_CAPTURE).arrayBuffer()));
  const encoders: EncoderComparison[] = [];
  for (const makeClip of [() => captureClip(records, opts.maxFrames720 ?? 120), () => syntheticClip(1920, 1080, opts.frames1080 ?? 60)]) {
    const clip = await makeClip();
    const x264 = await runX264(clip);
    const ours = await runOursInWorker(clip);
    const row: EncoderComparison = {
      clip: clip.name,
      width: clip.width,
      height: clip.height,
      frames: clip.frames.length,
      oursFps: ours.fps,
      oursBytes: ours.bytes,
      x264Fps: x264.fps,
      x264Bytes: x264.bytes,
      ratio: ours.fps / x264.fps,
    };
    encoders.push(row);
    log(
      `${row.clip} ${row.width}x${row.height}, ${row.frames} frames: ours ${row.oursFps.toFixed(1)} fps (${kb(row.oursBytes)}), ` +
        `x264 ultrafast 1 thread ${row.x264Fps.toFixed(1)} fps (${kb(row.x264Bytes)}), ratio ${row.ratio.toFixed(2)}`,
    );
  }

  const concurrency: ConcurrencyRun[] = [];
  let maxRealtimeSessions = 0;
  const replay = records.filter((r) => r.delayMs < (opts.replayMs ?? 20_000));
  for (const sessions of opts.sessionCounts ?? [1, 2, 4, 8, 12, 16, 24]) {
    const run = await runRealtime(replay, sessions, opts.workers);
    concurrency.push(run);
    log(
      `${sessions} live session(s): lag p99 ${run.p99LagMs.toFixed(0)} ms (max ${run.maxLagMs.toFixed(0)}), ` +
        `${run.framesPerSessionSecond.toFixed(1)} frames/s per session, ${run.droppedFrames} dropped by degradation, ${run.failed} failed`,
    );
    if (!run.sustained) break;
    maxRealtimeSessions = sessions;
  }
  log(`sustained real-time sessions (lag p99 < ${LAG_TARGET_MS} ms): ${maxRealtimeSessions}`);
  return { encoders, concurrency, maxRealtimeSessions };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}

/** The pictures the scheduler would encode for the capture, as RGBA. */
async function captureClip(records: TdpcapRecord[], maxFrames: number): Promise<RawClip> {
  const compositor = new Compositor();
  const scheduler = new FrameScheduler({ mode: "import" });
  const frames: Uint8Array[] = [];
  const size = { width: 1280, height: 720 };
  for (const r of records) {
    if (frames.length >= maxFrames) break;
    if (scheduler.beforeMessage(r.delayMs)) {
      frames.push(new Uint8Array(compositor.takeFrame(size)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const message = decodePicture(r.data);
    if (!message) continue;
    const outcome = compositor.apply(message);
    scheduler.afterMessage(r.delayMs, outcome.kind === "drawn" || outcome.kind === "resized");
  }
  return { name: "sample-720 capture", ...size, frames };
}

/** A desktop with a terminal scrolling one line per frame and a ticking status bar. */
async function syntheticClip(width: number, height: number, count: number): Promise<RawClip> {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  const frames: Uint8Array[] = [];
  const lineHeight = 18;
  for (let f = 0; f < count; f++) {
    ctx.fillStyle = "#2d4f6c";
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = "#f2f2f2";
    ctx.fillRect(120, 80, 1100, 800);
    ctx.fillStyle = "#101010";
    ctx.fillRect(1300, 120, 560, 700);
    ctx.font = "14px monospace";
    ctx.fillStyle = "#203040";
    for (let line = 0; line < 42; line++) {
      ctx.fillText(`${String(line * 37 + 1000).padStart(6)}  report row ${line} value=${(line * 7919) % 10007} status=OK`, 140, 110 + line * lineHeight);
    }
    ctx.fillStyle = "#33ff66";
    for (let line = 0; line < 36; line++) {
      const n = f + line;
      ctx.fillText(`$ seq ${n} | sha1sum  ${((n * 2654435761) >>> 0).toString(16).padStart(8, "0")}${(n * 40503).toString(16)}`, 1315, 145 + line * lineHeight);
    }
    ctx.fillStyle = "#000";
    ctx.fillRect(0, height - 32, width, 32);
    ctx.fillStyle = "#fff";
    ctx.fillText(`12:${String(f % 60).padStart(2, "0")}  frame ${f}`, width - 220, height - 11);
    frames.push(new Uint8Array(ctx.getImageData(0, 0, width, height).data));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { name: "synthetic desktop", width, height, frames };
}

async function runX264(clip: RawClip): Promise<{ fps: number; bytes: number }> {
  const proc = Bun.spawn(
    [
      "ffmpeg", "-v", "error", "-benchmark", "-f", "rawvideo", "-pix_fmt", "rgba", "-s", `${clip.width}x${clip.height}`, "-r", "10", "-i", "-",
      "-c:v", "libx264", "-preset", "ultrafast", "-threads", "1", "-g", String(KEY_EVERY), "-f", "h264", "-",
    ],
    { stdin: "pipe", stdout: "pipe", stderr: "pipe" },
  );
  const started = performance.now();
  const output = new Response(proc.stdout).arrayBuffer();
  const errors = new Response(proc.stderr).text();
  for (const frame of clip.frames) {
    proc.stdin.write(frame);
    await proc.stdin.flush();
  }
  await proc.stdin.end();
  const bytes = (await output).byteLength;
  const exit = await proc.exited;
  const wallMs = performance.now() - started;
  const stderr = await errors;
  if (exit !== 0) throw new Error(`ffmpeg failed: ${stderr}`);
  // -benchmark prints "bench: utime=…s stime=…s rtime=…s": rtime excludes process start-up.
  const rtime = /rtime=([\d.]+)s/.exec(stderr);
  const ms = rtime ? Number(rtime[1]) * 1000 : wallMs;
  return { fps: clip.frames.length / (ms / 1000), bytes };
}

interface WorkerResult {
  ms: number;
  bytes: number;
}

async function runOursInWorker(clip: RawClip): Promise<{ fps: number; bytes: number }> {
  const worker = new Worker(new URL(import.meta.url));
  try {
    const result = await new Promise<WorkerResult>((resolve, reject) => {
      worker.addEventListener("message", (event: MessageEvent) => {
        const data: unknown = event.data;
        if (typeof data === "object" && data !== null && "ms" in data && "bytes" in data && typeof data.ms === "number" && typeof data.bytes === "number") {
          resolve({ ms: data.ms, bytes: data.bytes });
        } else {
          reject(new Error(`bench worker: ${String(data)}`));
        }
      });
      worker.addEventListener("error", (event: Event) => reject(new Error(event instanceof ErrorEvent ? event.message : "bench worker error")));
      const frames = clip.frames.map((f) => f.slice());
      worker.postMessage({ width: clip.width, height: clip.height, frames }, frames.map((f) => f.buffer));
    });
    return { fps: clip.frames.length / (result.ms / 1000), bytes: result.bytes };
  } finally {
    worker.terminate();
  }
}

/** Worker side: encode the frames it is sent, timing encode only (RGBA→YUV included). */
async function encodeFramesInWorker(data: unknown): Promise<WorkerResult> {
  if (typeof data !== "object" || data === null || !("width" in data) || !("height" in data) || !("frames" in data)) throw new Error("bad request");
  const { width, height, frames } = data;
  if (typeof width !== "number" || typeof height !== "number" || !Array.isArray(frames)) throw new Error("bad request");
  const encoder = await HmeH264Encoder.create();
  encoder.configureSync(width, height);
  let bytes = 0;
  const started = performance.now();
  frames.forEach((frame: unknown, i) => {
    if (!(frame instanceof Uint8Array)) throw new Error("frame is not bytes");
    bytes += encoder.encodeSync(frame, i % KEY_EVERY === 0).data.length;
  });
  const ms = performance.now() - started;
  encoder.close();
  return { ms, bytes };
}

/** `sessions` live sessions, each replaying `records` at real time (staggered), on one pool. */
async function runRealtime(records: TdpcapRecord[], sessions: number, workers?: number): Promise<ConcurrencyRun> {
  const pool = new VideoPool({ workers });
  const lags: number[] = [];
  let failed = 0;
  const sampler = setInterval(() => {
    for (const s of pool.stats().sessions) lags.push(s.lagMs);
  }, 100);
  const durationMs = records[records.length - 1].delayMs;
  const summaries = await Promise.all(
    Array.from({ length: sessions }, async (_, i) => {
      await Bun.sleep(i * 250);
      const session = pool.openSession(`bench-${i}`, { mode: "live" }, {
        onConfig() {},
        onFrame() {},
        onProblem(p) {
          if (p.kind !== "bad-input") failed++;
        },
        onThumbnail() {},
      });
      const start = performance.now();
      for (const r of records) {
        const wait = start + r.delayMs - performance.now();
        if (wait > 1) await Bun.sleep(wait);
        // Decoded here as the session decodes on ingest.
        const message = decodePicture(r.data);
        if (message) session.push(r.delayMs, message);
      }
      return session.end(durationMs);
    }),
  );
  clearInterval(sampler);
  await pool.close();
  lags.sort((a, b) => a - b);
  const p99LagMs = lags.length ? lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))] : 0;
  const maxLagMs = lags.length ? lags[lags.length - 1] : 0;
  const frames = summaries.reduce((n, s) => n + s.frames, 0);
  return {
    sessions,
    p99LagMs,
    maxLagMs,
    framesPerSessionSecond: frames / sessions / (durationMs / 1000),
    droppedFrames: summaries.reduce((n, s) => n + s.droppedFrames, 0),
    failed,
    sustained: p99LagMs < LAG_TARGET_MS && failed === 0,
  };
}

declare var self: Worker;

if (!Bun.isMainThread) {
  const worker = self;
  worker.addEventListener("message", (event: MessageEvent) => {
    encodeFramesInWorker(event.data).then(
      (result) => worker.postMessage(result),
      (e: unknown) => worker.postMessage(errorMessage(e)),
    );
  });
} else if (import.meta.main) {
  const result = await benchVideo();
  console.log(JSON.stringify(result, null, 2));
}

