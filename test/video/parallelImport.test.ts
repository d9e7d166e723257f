// Import split across two workers against the same import on one: same frame times, a clean decode,
// and the pictures of the real sample session at its ground-truth times.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SampleSpool, SegmentJoiner } from "../../src/video/segments.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import type { VideoFrame } from "../../src/video/pool/videoPool.ts";
import { SAMPLE_CAPTURE, SAMPLE_TRUTH_DIR } from "../support/corpusPath.ts";
import { recordingOf } from "../support/recordings.ts";
import { startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { decodeAll, pictureAt, probe, psnr, type ProbedFile } from "./helpers/ffmpeg.ts";
import { pngPixels } from "../support/pngPixels.ts";
import { tempFileStore, type TempStore } from "./helpers/tempStore.ts";

const SESSION = "parallel-import-0001";

interface Imported {
  server: TestServer;
  mp4: string;
  probed: ProbedFile;
  /** Pool session ids seen while the video was made. */
  poolSessions: Set<string>;
}

async function importOn(workers: number, file: Uint8Array): Promise<Imported> {
  const server = await startTestServer({ DESKREEL_VIDEO_WORKERS: String(workers) });
  const poolSessions = new Set<string>();
  const sampler = setInterval(() => {
    for (const s of server.services.pool.stats().sessions) poolSessions.add(s.id);
  }, 20);
  try {
    const res = await fetch(`${server.url}/v1/recordings/import`, {
      method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file),
    });
    expect(res.status).toBe(201);
    const item = await waitFor("the imported video", async () => {
      const it = await server.json<{ video: { state: string } }>(`/v1/recordings/${SESSION}`);
      return it.video.state === "encoding" ? undefined : it;
    }, 100_000);
    expect(item.video.state).toBe("ready");
  } finally {
    clearInterval(sampler);
  }
  const mp4 = join(server.dataDir, `video-${workers}.mp4`);
  await Bun.write(mp4, await (await server.get(`/v1/recordings/${SESSION}/video.mp4`)).arrayBuffer());
  return { server, mp4, probed: await probe(mp4), poolSessions };
}

let single: Imported;
let split: Imported;

beforeAll(async () => {
  const records = readTdpcap(new Uint8Array(readFileSync(SAMPLE_CAPTURE)));
  const file = await recordingOf(records, SESSION);
  single = await importOn(1, file);
  split = await importOn(2, file);
}, 240_000);

afterAll(async () => {
  await single?.server.dispose();
  await split?.server.dispose();
});

describe("import split across workers", () => {
  test("really ran as two segments", () => {
    expect([...single.poolSessions]).toEqual([SESSION]);
    expect(split.poolSessions.size).toBe(2);
  });

  test("same frame times as the single run; extra keyframes only at the split", () => {
    const a = single.probed.packets;
    const b = split.probed.packets;
    expect(a.length).toBeGreaterThan(100);
    expect(b.map((p) => p.ptsMs)).toEqual(a.map((p) => p.ptsMs));
    const extra = b.filter((p, i) => p.isKey !== a[i].isKey);
    expect(extra.every((p) => p.isKey)).toBe(true);
    expect(extra.length).toBeLessThanOrEqual(1);
    expect(Math.abs(split.probed.durationMs - single.probed.durationMs)).toBeLessThanOrEqual(100);
    expect(split.probed.width).toBe(1280);
    expect(split.probed.height).toBe(720);
    // Each frame lasts until the next: no gap and no overlap where the segments meet.
    b.slice(0, -1).forEach((p, i) => expect(p.ptsMs + p.durationMs).toBe(b[i + 1].ptsMs));
  });

  test("decodes without an error", async () => {
    const decoded = await decodeAll(split.mp4);
    expect(decoded.code).toBe(0);
    expect(decoded.errors).toBe("");
    expect(decoded.frames).toBe(split.probed.packets.length);
  });

  test("shows the ground-truth picture at each truth time (PSNR >= 35 dB)", async () => {
    const truth = JSON.parse(readFileSync(join(SAMPLE_TRUTH_DIR, "truth.json"), "utf8")) as { frames: Array<{ file: string; t_ms: number }> };
    expect(truth.frames.length).toBe(8);
    for (const frame of truth.frames) {
      const expected = (await pngPixels(join(SAMPLE_TRUTH_DIR, frame.file))).rgba;
      const shown = await pictureAt(split.mp4, frame.t_ms, 1280, 720);
      const db = psnr(shown, expected);
      if (db < 35) throw new Error(`${frame.file}: PSNR ${db.toFixed(1)} dB at ${frame.t_ms} ms`);
    }
  }, 60_000);
});

describe("segment joiner", () => {
  let temp: TempStore;
  beforeAll(async () => {
    temp = await tempFileStore();
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  const frame = (ptsMs: number, isKey = false): VideoFrame => ({ ptsMs, isKey, data: Uint8Array.of(0, 0, 0, 1, ptsMs & 0xff, ptsMs >> 8) });

  test("later segments wait in a spool blob and are copied in, in pts order, once the earlier ones end", async () => {
    const out: VideoFrame[] = [];
    const thumbnails: number[] = [];
    const joiner = new SegmentJoiner(3, { frame: (f) => out.push(f), thumbnail: (png) => thumbnails.push(png[0]) }, (k) => new SampleSpool(temp.store, `part${k}`));
    joiner.frame(2, frame(900, true));
    joiner.frame(1, frame(500, true));
    joiner.frame(0, frame(0, true));
    joiner.thumbnail(2, Uint8Array.of(2));
    joiner.thumbnail(0, Uint8Array.of(0));
    joiner.frame(1, frame(600));
    expect(out.map((f) => f.ptsMs)).toEqual([0]);
    await waitFor("the spool blobs", async () => ((await temp.store.list("part")).length === 2 ? true : undefined), 5000);
    joiner.frame(0, frame(100));
    joiner.ended(0);
    joiner.frame(1, frame(700)); // arrives while segment 1's spool is being copied in
    await joiner.settled();
    joiner.frame(1, frame(800));
    joiner.frame(2, frame(1000));
    joiner.ended(2);
    await joiner.settled();
    expect(out.map((f) => f.ptsMs)).toEqual([0, 100, 500, 600, 700, 800]);
    joiner.ended(1);
    await joiner.settled();
    expect(joiner.error).toBeNull();
    expect(out.map((f) => f.ptsMs)).toEqual([0, 100, 500, 600, 700, 800, 900, 1000]);
    expect(out.map((f) => f.data[4] | (f.data[5] << 8))).toEqual([0, 100, 500, 600, 700, 800, 900, 1000]);
    expect(out.filter((f) => f.isKey).map((f) => f.ptsMs)).toEqual([0, 500, 900]);
    expect(thumbnails).toEqual([0, 2]);
    expect(await temp.store.list("part")).toEqual([]);
  });
});
