// Our encoders against ffmpeg libx264 on the same pictures: the frames the import scheduler takes
// from a capture, fed to both as the same I420. Bytes, encoder CPU (frames per CPU-second) and PSNR
// of the decoded video against the composed RGBA truth. Pictures are composed twice (once to encode,
// once to compare) rather than kept: 300 1080p pictures would be 2.4 GB.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodePicture } from "../src/tdp/picture.ts";
import type { TdpcapRecord } from "../src/tdp/tdpcap.ts";
import { Compositor } from "../src/video/compose/compositor.ts";
import { FrameScheduler } from "../src/video/compose/scheduler.ts";
import { annexBStream } from "../src/video/encoder/annexb.ts";
import { createH264Encoder } from "../src/video/encoder/choose.ts";
import type { EncodedFrame, EncoderBackend, H264CodecConfig } from "../src/video/encoder/types.ts";
import type { RowSpan } from "../src/video/compose/rowSpan.ts";
import { rgbaToI420 } from "../src/video/encoder/yuv.ts";

export interface Clip {
  name: string;
  width: number;
  height: number;
  records: TdpcapRecord[];
}

export interface Picture {
  ptsMs: number;
  forceKey: boolean;
  rgba: Uint8ClampedArray;
  changedRows: RowSpan[] | null;
}

/** Where one pass over the clip spent its CPU time, ms (the import path without the encoder). */
export interface ComposeTimes {
  /** Applying messages: TDP decode, PNG tile decode, queueing draws. */
  applyMs: number;
  /** Reading pictures back: the queued draws are paid here, plus getImageData. */
  readbackMs: number;
}

/** The pictures the import scheduler takes from the clip, in order (one buffer, reused). */
export async function* schedulePictures(clip: Clip, times?: ComposeTimes): AsyncGenerator<Picture> {
  const compositor = new Compositor();
  const scheduler = new FrameScheduler({ mode: "import" });
  const size = { width: clip.width, height: clip.height };
  let sized = false;
  const take = (ptsMs: number, forceKey: boolean): Picture => {
    const started = process.cpuUsage();
    const { rgba, changedRows } = compositor.takeFrameUpdate(size);
    if (times) times.readbackMs += cpuMs(started);
    return { ptsMs, forceKey, rgba, changedRows };
  };
  for (const r of clip.records) {
    const decision = scheduler.beforeMessage(r.delayMs);
    if (decision && sized) {
      yield take(decision.ptsMs, decision.forceKey);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const started = process.cpuUsage();
    const message = decodePicture(r.data);
    const outcome = message ? compositor.apply(message) : null;
    if (times) times.applyMs += cpuMs(started);
    if (outcome?.kind === "resized") sized = true;
    scheduler.afterMessage(r.delayMs, outcome?.kind === "drawn" || outcome?.kind === "resized", performance.now());
  }
  const last = scheduler.finish(clip.records.at(-1)?.delayMs ?? 0);
  if (last && sized) yield take(last.ptsMs, last.forceKey);
}

/** CPU ms of this process since `since` (wall time would count the other processes on a shared machine). */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

export interface EncodeRun {
  label: string;
  frames: number;
  keyframes: number;
  bytes: number;
  /** Encoder CPU-seconds (RGBA→I420 included for ours; I420 in for libx264). */
  cpuSeconds: number;
  fps: number;
  psnrDb: number;
  minPsnrDb: number;
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

/**
 * Encodes the clip with one of our backends. Each picture waits for its frame before the next is
 * composed, so the process CPU measured around encode is the encoder's alone (its own thread included).
 */
export async function encodeOurs(clip: Clip, backend: EncoderBackend, dir: string, times?: ComposeTimes): Promise<EncodeRun & { path: string; forced: number[] }> {
  const encoder = await createH264Encoder({ prefer: backend });
  if (encoder.backend !== backend) throw new Error(`asked for ${backend}, got ${encoder.backend}`);
  const frames: EncodedFrame[] = [];
  let config: H264CodecConfig | null = null;
  let arrived: (() => void) | null = null;
  await encoder.configure(clip.width, clip.height, {
    config: (c) => (config = c),
    frame: (f) => {
      frames.push(f);
      arrived?.();
    },
  });
  let cpu = 0;
  let count = 0;
  const forced: number[] = [];
  for await (const picture of schedulePictures(clip, times)) {
    if (picture.forceKey) forced.push(count);
    const since = process.cpuUsage();
    const out = new Promise<void>((resolve) => (arrived = resolve));
    await encoder.encode(picture.rgba, { ptsMs: picture.ptsMs, forceKey: picture.forceKey, changedRows: picture.changedRows });
    count++;
    if (frames.length < count) await out;
    cpu += cpuSeconds(since);
  }
  await encoder.flush();
  encoder.close();
  if (!config) throw new Error("no codec config");
  const path = join(dir, `${backend}.h264`);
  await Bun.write(path, annexBStream(config, frames));
  const bytes = frames.reduce((n, f) => n + f.data.length, 0);
  return { label: backend, path, forced, frames: frames.length, keyframes: frames.filter((f) => f.isKey).length, bytes, cpuSeconds: cpu, fps: frames.length / cpu, psnrDb: 0, minPsnrDb: 0 };
}

/** One libx264 encode: its label and its settings (ffmpeg options after `-c:v libx264`). */
export interface X264Settings {
  label: string;
  options: string[];
}

/** libx264 `preset` at each CRF, on one thread. */
export function x264AtCrfs(preset: string, crfs: number[]): X264Settings[] {
  return crfs.map((crf) => ({ label: `libx264 ${preset} crf ${crf}`, options: ["-preset", preset, "-crf", String(crf), "-threads", "1"] }));
}

/**
 * libx264 (ffmpeg) at several settings on the same I420 pictures, keyframes where ours had them: one
 * composing pass feeds every ffmpeg at once.
 */
export async function encodeX264(clip: Clip, settings: X264Settings[], dir: string, forcedFrames: number[]): Promise<(EncodeRun & { path: string })[]> {
  const keys = forcedFrames.length ? forcedFrames.map((i) => `eq(n,${i})`).join("+") : "eq(n,0)";
  // ffmpeg's own CPU time (user+system) is the peer's cost: reading raw pictures from a pipe is noise next to encoding.
  const runs = settings.map(({ label, options }, i) => {
    const path = join(dir, `x264-${i}.h264`);
    const proc = Bun.spawn(
      [
        "ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", `${clip.width}x${clip.height}`, "-r", "10", "-i", "-",
        "-c:v", "libx264", ...options, "-g", "100000", "-bf", "0",
        "-force_key_frames", `expr:${keys}`, "-f", "h264", path,
      ],
      { stdin: "pipe", stdout: "ignore", stderr: "pipe" },
    );
    return { label, path, proc, stderr: new Response(proc.stderr).text() };
  });
  const yuv = new Uint8Array((clip.width * clip.height * 3) / 2);
  let frames = 0;
  for await (const p of schedulePictures(clip)) {
    rgbaToI420(p.rgba, clip.width, clip.height, yuv);
    for (const r of runs) r.proc.stdin.write(yuv);
    await Promise.all(runs.map((r) => r.proc.stdin.flush()));
    frames++;
  }
  const out: (EncodeRun & { path: string })[] = [];
  for (const r of runs) {
    await r.proc.stdin.end();
    const stderr = await r.stderr;
    if ((await r.proc.exited) !== 0) throw new Error(`ffmpeg libx264 failed: ${stderr}`);
    const usage = r.proc.resourceUsage();
    const cpu = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : NaN;
    const bytes = Bun.file(r.path).size;
    out.push({ label: r.label, path: r.path, frames, keyframes: forcedFrames.length, bytes, cpuSeconds: cpu, fps: frames / cpu, psnrDb: 0, minPsnrDb: 0 });
  }
  return out;
}

/** Mean and lowest per-frame RGB PSNR of each Annex-B file against the composed pictures. */
export async function measurePsnr(clip: Clip, paths: string[]): Promise<{ mean: number; min: number }[]> {
  const frameBytes = clip.width * clip.height * 3;
  const decoders = paths.map((path) => {
    const proc = Bun.spawn(["ffmpeg", "-v", "error", "-f", "h264", "-i", path, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], { stdout: "pipe", stderr: "pipe" });
    return { proc, reader: new FrameReader(proc.stdout, frameBytes) };
  });
  const sums = paths.map(() => ({ total: 0, min: Infinity, frames: 0 }));
  for await (const picture of schedulePictures(clip)) {
    for (const [i, decoder] of decoders.entries()) {
      const rgb = await decoder.reader.next();
      if (!rgb) throw new Error(`${paths[i]} has fewer frames than the clip`);
      const db = Math.min(99, psnrRgb(rgb, picture.rgba));
      sums[i].total += db;
      sums[i].min = Math.min(sums[i].min, db);
      sums[i].frames++;
    }
  }
  for (const d of decoders) {
    if (await d.reader.next()) throw new Error("a decoded file has more frames than the clip");
    await d.proc.exited;
  }
  return sums.map((s) => ({ mean: s.total / s.frames, min: s.min }));
}

function psnrRgb(rgb: Uint8Array, rgba: Uint8ClampedArray): number {
  let squared = 0;
  const pixels = rgb.length / 3;
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    const r = rgb[i] - rgba[j];
    const g = rgb[i + 1] - rgba[j + 1];
    const b = rgb[i + 2] - rgba[j + 2];
    squared += r * r + g * g + b * b;
  }
  const mse = squared / (pixels * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** Cuts a byte stream into frames of a fixed size. */
class FrameReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private buffered: Uint8Array[] = [];
  private length = 0;
  constructor(
    stream: ReadableStream<Uint8Array>,
    private readonly frameBytes: number,
  ) {
    this.reader = stream.getReader();
  }
  async next(): Promise<Uint8Array | null> {
    while (this.length < this.frameBytes) {
      const { value, done } = await this.reader.read();
      if (done) return null;
      this.buffered.push(value);
      this.length += value.length;
    }
    const all = Bun.concatArrayBuffers(this.buffered, Infinity, true);
    const frame = all.subarray(0, this.frameBytes);
    const rest = all.subarray(this.frameBytes);
    this.buffered = rest.length ? [rest] : [];
    this.length = rest.length;
    return frame;
  }
}

export function scratchDir(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "deskreel-encoder-bench-"));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
