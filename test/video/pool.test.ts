import { afterAll, describe, expect, test } from "bun:test";
import { createCanvas } from "@napi-rs/canvas";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MessageType, type PictureMessage } from "../../src/tdp/messages.ts";
import { picture, pictureRecords } from "./helpers/pictures.ts";
import { readTdpcap, type TdpcapRecord } from "../../src/tdp/tdpcap.ts";
import { FrameScheduler } from "../../src/video/compose/scheduler.ts";
import { annexBStream } from "../../src/video/encoder/annexb.ts";
import type { H264CodecConfig } from "../../src/video/encoder/types.ts";
import { VideoPool, type VideoFrame, type VideoProblem, type VideoSessionEvents, type VideoSessionOptions } from "../../src/video/pool/videoPool.ts";

import { CORPUS_DIR as CORPUS } from "../support/corpusPath.ts";
import { pngPixels } from "../support/pngPixels.ts";
import { psnr } from "./helpers/ffmpeg.ts";
const records = readTdpcap(new Uint8Array(await Bun.file(`${CORPUS}/sample-720.tdpcap`).arrayBuffer()));
const endMs = records[records.length - 1].delayMs;
const dir = mkdtempSync(join(tmpdir(), "deskreel-pool-"));
const pool = new VideoPool({ workers: 2 });
// One pool per backend for the tests that must hold for both (the default pool picks WebCodecs where it loads).
const backendPools = { webcodecs: new VideoPool({ workers: 1, encoder: "webcodecs" }), wasm: new VideoPool({ workers: 1, encoder: "wasm" }) };
/** profile_idc in the SPS: the native encoder always makes High (100), the WASM one Baseline (66). */
const PROFILE = { webcodecs: 100, wasm: 66 } as const;
afterAll(async () => {
  await pool.close();
  for (const p of Object.values(backendPools)) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Collected {
  config: H264CodecConfig | null;
  frames: VideoFrame[];
  problems: VideoProblem[];
  thumbnails: Array<{ png: Uint8Array; atMs: number; final: boolean }>;
  events: VideoSessionEvents;
}

function collector(): Collected {
  const c: Collected = {
    config: null,
    frames: [],
    problems: [],
    thumbnails: [],
    events: {
      onConfig: (config) => (c.config = config),
      onFrame: (frame) => c.frames.push(frame),
      onProblem: (problem) => c.problems.push(problem),
      onThumbnail: (png, info) => c.thumbnails.push({ png, ...info }),
    },
  };
  return c;
}

function open(id: string, options: VideoSessionOptions, on: VideoPool = pool) {
  const c = collector();
  return { c, session: on.openSession(id, options, c.events) };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error("timed out waiting");
    await Bun.sleep(20);
  }
}

/** Decodes the frames at `indexes` (ascending) of an Annex-B stream to RGB24. */
function decodeFrames(path: string, indexes: number[], width: number, height: number): Uint8Array[] {
  const select = indexes.map((n) => `eq(n\\,${n})`).join("+");
  const run = Bun.spawnSync(["ffmpeg", "-v", "error", "-f", "h264", "-i", path, "-vf", `select='${select}'`, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
  expect(run.exitCode).toBe(0);
  const out = new Uint8Array(run.stdout);
  const size = width * height * 3;
  expect(out.length).toBe(size * indexes.length);
  return indexes.map((_, k) => out.subarray(k * size, (k + 1) * size));
}

function pushAll(session: { push(t: number, m: PictureMessage): boolean }, list: TdpcapRecord[]): void {
  for (const r of pictureRecords(list)) session.push(r.delayMs, r.message);
}

describe.each(["webcodecs", "wasm"] as const)("video pool with the %s encoder", (backend) => {
  test("end to end on the sample capture: ordered pts, the scheduler's keyframes, thumbnails, truth on screen in time", async () => {
    const { c, session } = open(`sample-import-${backend}`, { mode: "import" }, backendPools[backend]);
    pushAll(session, records);
    const summary = await session.end(endMs);
    expect(summary.failed).toBe(false);
    expect(c.problems).toEqual([]);
    expect(c.config?.width).toBe(1280);
    expect(c.config?.height).toBe(720);
    expect(c.config?.sps[0][1]).toBe(PROFILE[backend]);

    // pts strictly increasing, inside the session; frames match what the scheduler decides on the same timeline.
    const pts = c.frames.map((f) => f.ptsMs);
    for (let i = 1; i < pts.length; i++) expect(pts[i]).toBeGreaterThan(pts[i - 1]);
    expect(pts[0]).toBe(0);
    expect(pts[pts.length - 1]).toBeLessThanOrEqual(endMs);
    const expected = new FrameScheduler({ mode: "import" });
    const decisions = [];
    for (const r of pictureRecords(records)) {
      const d = expected.beforeMessage(r.delayMs);
      if (d) decisions.push(d);
      expected.afterMessage(r.delayMs, true);
    }
    const last = expected.finish(endMs);
    if (last) decisions.push(last);
    expect(c.frames.map((f) => f.ptsMs)).toEqual(decisions.map((d) => d.ptsMs));
    // Every keyframe the scheduler asked for is one; x264 (native) may add its own at a scene cut.
    for (const [i, d] of decisions.entries()) if (d.forceKey) expect(c.frames[i].isKey).toBe(true);
    const keys = c.frames.filter((f) => f.isKey).map((f) => f.ptsMs);
    const asked = decisions.filter((d) => d.forceKey).map((d) => d.ptsMs);
    if (backend === "wasm") expect(keys).toEqual(asked);
    else expect(keys.length).toBeLessThanOrEqual(asked.length * 2);
    expect(summary.frames).toBe(c.frames.length);
    expect(summary.keyframes).toBe(keys.length);

    // Thumbnails: one early (after a few seconds of content), one at the end; small PNGs.
    expect(c.thumbnails.map((t) => t.final)).toEqual([false, true]);
    expect(c.thumbnails[0].atMs).toBeGreaterThanOrEqual(3000);
    expect(c.thumbnails[1].atMs).toBe(endMs);
    for (const t of c.thumbnails) {
      const image = await pngPixels(t.png);
      expect([image.width, image.height]).toEqual([320, 180]);
    }

    // Contract: what the screen showed at t is on screen in the video at t or at most 150 ms later.
    const config = c.config;
    if (!config) throw new Error("no config");
    const path = join(dir, "sample.h264");
    await Bun.write(path, annexBStream(config, c.frames));
    const truth = (await Bun.file(`${CORPUS}/sample-720.truth/truth.json`).json()) as { frames: Array<{ file: string; t_ms: number }> };
    const report: string[] = [];
    for (const shot of truth.frames) {
      const shown = (x: number) => pts.findLastIndex((p) => p <= x);
      const candidates = [...new Set([shown(shot.t_ms), ...pts.flatMap((p, i) => (p > shot.t_ms && p <= shot.t_ms + 150 ? [i] : []))])].filter((i) => i >= 0);
      const decoded = decodeFrames(path, candidates, 1280, 720);
      const expectedPicture = await pngPixels(new Uint8Array(await Bun.file(`${CORPUS}/sample-720.truth/${shot.file}`).arrayBuffer()));
      const best = Math.max(...decoded.map((rgb) => psnr(rgb, expectedPicture.rgba)));
      report.push(`${shot.file}: best PSNR ${best.toFixed(1)} dB among frames ${candidates.map((i) => pts[i]).join(",")}`);
      expect(best).toBeGreaterThanOrEqual(35);
    }
    console.log(`${backend}: ${c.frames.length} frames, keyframes at ${keys.join(",")} (asked ${asked.join(",")}), ${summary.encodedBytes} bytes\n${report.join("\n")}`);
  }, 60_000);

  test("live: the last change before a quiet wire comes out without waiting for another message", async () => {
    const { c, session } = open(`live-quiet-${backend}`, { mode: "live" }, backendPools[backend]);
    const first = records.filter((r) => r.delayMs === 0);
    pushAll(session, first);
    await waitFor(() => c.frames.length === 1, 5000);
    expect(c.frames[0]).toMatchObject({ ptsMs: 0, isKey: true });
    const summary = await session.end(500);
    expect(summary.failed).toBe(false);
    expect(c.frames.length).toBe(1);
  }, 30_000);
});

describe("video pool", () => {

  test("a bad tile is reported with its index and the video goes on", async () => {
    const { c, session } = open("bad-tile", { mode: "import" });
    const canvas = createCanvas(64, 64);
    canvas.getContext("2d").fillRect(0, 0, 64, 64);
    const good = new Uint8Array(canvas.toBuffer("image/png"));
    // A tile that changes the picture after the bad one (black on the black screen would change nothing).
    const white = createCanvas(64, 64);
    const whiteContext = white.getContext("2d");
    whiteContext.fillStyle = "#fff";
    whiteContext.fillRect(0, 0, 64, 64);
    const changing = new Uint8Array(white.toBuffer("image/png"));
    session.push(0, { type: MessageType.ClientScreenSpec, width: 640, height: 480 });
    session.push(0, { type: MessageType.PNGFrame, left: 0, top: 0, right: 64, bottom: 64, png: good });
    session.push(100, { type: MessageType.PNGFrame, left: 0, top: 0, right: 32, bottom: 32, png: good });
    session.push(200, { type: MessageType.PNGFrame, left: 64, top: 0, right: 128, bottom: 64, png: changing });
    const summary = await session.end(300);
    expect(summary.failed).toBe(false);
    expect(c.problems.length).toBe(1);
    expect(c.problems[0]).toMatchObject({ kind: "bad-input", messageIndex: 2 });
    expect(c.problems[0].reason).toContain("64x64");
    expect(c.frames.map((f) => f.ptsMs)).toEqual([0, 200]);
  }, 30_000);

  test("a worker killed mid-session fails only its sessions and is replaced", async () => {
    const a = open("crash-a", { mode: "live" });
    const b = open("crash-b", { mode: "live" });
    const workerOf = (id: string) => pool.stats().sessions.find((s) => s.id === id)?.worker;
    const wa = workerOf("crash-a");
    const wb = workerOf("crash-b");
    expect(wa).toBeDefined();
    expect(wb).not.toBe(wa);
    const firstPart = records.filter((r) => r.delayMs < 3000);
    pushAll(a.session, firstPart);
    pushAll(b.session, firstPart);
    await waitFor(() => a.c.frames.length > 0 && b.c.frames.length > 0, 10_000);
    const restartsBefore = pool.stats().workers[wa ?? 0].restarts;

    pool.killWorker(wa ?? 0);
    const aSummary = await a.session.end(3000);
    expect(aSummary.failed).toBe(true);
    expect(a.c.problems.map((p) => p.kind)).toEqual(["worker-crashed"]);
    expect(a.session.push(3100, picture(records[0].data))).toBe(true); // ignored, harmless

    pushAll(b.session, records.filter((r) => r.delayMs >= 3000 && r.delayMs < 6000));
    const bSummary = await b.session.end(6000);
    expect(bSummary.failed).toBe(false);
    expect(b.c.problems).toEqual([]);
    expect(pool.stats().workers[wa ?? 0].restarts).toBe(restartsBefore + 1);

    // The replacement worker takes new sessions: two at once land one on each worker.
    const c1 = open("after-crash-1", { mode: "import" });
    const c2 = open("after-crash-2", { mode: "import" });
    expect(new Set([workerOf("after-crash-1"), workerOf("after-crash-2")])).toEqual(new Set([wa, wb]));
    for (const c of [c1, c2]) pushAll(c.session, records.filter((r) => r.delayMs < 2000));
    for (const c of [c1, c2]) {
      const summary = await c.session.end(2000);
      expect(summary.failed).toBe(false);
      expect(c.c.frames.length).toBeGreaterThan(0);
      expect(c.c.config?.width).toBe(1280);
    }
  }, 30_000);

  test("push reports backpressure over the high-water mark and drain() releases it", async () => {
    const small = new VideoPool({ workers: 1, highWaterBytes: 32 * 1024 });
    try {
      const c = collector();
      const session = small.openSession("backpressure", { mode: "import" }, c.events);
      const part = records.filter((r) => r.delayMs < 6000);
      let refusals = 0;
      for (const r of pictureRecords(part)) {
        if (!session.push(r.delayMs, r.message)) {
          refusals++;
          await session.drain();
        }
      }
      const summary = await session.end(6000);
      expect(refusals).toBeGreaterThan(0);
      expect(summary.failed).toBe(false);
      expect(c.frames.length).toBeGreaterThan(10);
    } finally {
      await small.close();
    }
  }, 30_000);

  test("stats report lag, fps, dropped frames and per-worker load", async () => {
    const { session } = open("stats", { mode: "import" });
    pushAll(session, records.filter((r) => r.delayMs < 5000));
    const during = pool.stats();
    const mine = during.sessions.find((s) => s.id === "stats");
    expect(mine?.lagMs).toBeGreaterThan(0); // everything pushed at once, nothing handled yet
    expect(during.workers.length).toBe(2);
    await session.end(5000);
    await waitFor(() => !pool.stats().sessions.some((s) => s.id === "stats"), 10_000);
    const after = pool.stats();
    expect(after.sessions.find((s) => s.id === "stats")).toBeUndefined();
    expect(after.workers.every((w) => w.busy >= 0 && w.busy <= 1)).toBe(true);
  }, 30_000);
});
