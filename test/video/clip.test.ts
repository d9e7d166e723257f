// Clip export cut from real H.264 (a moov-first recording video and its live fragmented form), judged by
// ffprobe/ffmpeg: duration, the first picture against the recording's picture at `from`, metadata, a clean
// decode, and which pictures were re-encoded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareClip } from "../../src/video/clip/cutClip.ts";
import { planClip } from "../../src/video/clip/plan.ts";
import { finalVideoIndex, fragmentedVideoIndex, type VideoIndex } from "../../src/video/clip/source.ts";
import { writeFinalMp4 } from "../../src/video/mp4/final.ts";
import { encodeMediaFragment, initSegment } from "../../src/video/mp4/fragmented.ts";
import { bytesReader, fileSink, memorySink } from "../../src/video/mp4/io.ts";
import type { StoredSample } from "../../src/video/mp4/types.ts";
import { concatBytes } from "../../src/bytes.ts";
import { decodeAll, pictureAt, probe } from "./helpers/ffmpeg.ts";
import { encodeTestClip, type TestClip } from "./helpers/testClip.ts";

const WIDTH = 320;
const HEIGHT = 240;
const PICTURES = 40;
const GOP = 10;
// one picture every 100 ms, with an idle second between pictures 24 and 25
const PTS = Array.from({ length: PICTURES }, (_, i) => i * 100 + (i >= 25 ? 1000 : 0));
// a recording whose first picture comes 500 ms in has an empty edit first (ffmpeg's command line drops that
// wait when decoding, so pictures are compared on the file without one)
const LATE_START_MS = 500;
const END_MS = PTS[PICTURES - 1] + 300;

let dir: string;
let clip: TestClip;
let recordingPath: string;
let finalBytes: Uint8Array;
let lateStartBytes: Uint8Array;
let fragmentedBytes: Uint8Array;

function storedSamples(shiftMs = 0): { source: Uint8Array; samples: StoredSample[] } {
  const source = concatBytes(clip.samples.map((s) => s.data));
  let offset = 0;
  const samples = clip.samples.map((s, i) => {
    const entry = { offset, size: s.data.length, dtsMs: shiftMs + PTS[i], durationMs: (PTS[i + 1] ?? END_MS) - PTS[i], isKey: s.isKey };
    offset += s.data.length;
    return entry;
  });
  return { source, samples };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "deskreel-clip-"));
  clip = await encodeTestClip({ width: WIDTH, height: HEIGHT, pictures: PICTURES, groupOfPictures: GOP });
  const { source, samples } = storedSamples();
  const sink = memorySink();
  await writeFinalMp4({ config: clip.config, samples, read: bytesReader(source) }, sink);
  finalBytes = sink.bytes();
  const late = storedSamples(LATE_START_MS);
  const lateSink = memorySink();
  await writeFinalMp4({ config: clip.config, samples: late.samples, read: bytesReader(late.source) }, lateSink);
  lateStartBytes = lateSink.bytes();
  recordingPath = join(dir, "recording.mp4");
  await Bun.write(recordingPath, finalBytes);
  const parts = [initSegment(clip.config)];
  samples.forEach((s, i) => parts.push(encodeMediaFragment(i + 1, [{ data: clip.samples[i].data, isKey: s.isKey, dtsMs: s.dtsMs, durationMs: 2000 }]).bytes));
  fragmentedBytes = concatBytes(parts);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cut(index: VideoIndex, fromMs: number, toMs: number, name: string) {
  const prepared = await prepareClip(index, { fromMs, toMs, tags: [["com.deskreel.recording_id", "rec-1"], ["com.deskreel.clip_from_ms", String(fromMs)], ["com.deskreel.clip_to_ms", String(toMs)]] });
  const path = join(dir, name);
  const result = await prepared.write(await fileSink(path));
  expect(result.bytes).toBe(prepared.bytes);
  expect((await Bun.file(path).bytes()).length).toBe(prepared.bytes);
  return { path, prepared };
}

async function formatTags(path: string): Promise<Record<string, string>> {
  const proc = Bun.spawn(["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", path], { stdout: "pipe", stderr: "pipe" });
  const json = (await new Response(proc.stdout).json()) as { format?: { tags?: Record<string, string> } };
  return json.format?.tags ?? {};
}

/** PSNR in dB between two RGB24 pictures. */
function rgbPsnr(a: Uint8Array, b: Uint8Array): number {
  let squared = 0;
  for (let i = 0; i < a.length; i++) squared += (a[i] - b[i]) ** 2;
  const mse = squared / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

describe("the recording's index", () => {
  test("a moov-first MP4 read from its head gives session times (the empty edit included) and keyframes", async () => {
    const late = await finalVideoIndex(bytesReader(lateStartBytes), lateStartBytes.length);
    expect(late.samples.map((s) => s.dtsMs)).toEqual(PTS.map((t) => t + LATE_START_MS));
    const index = await finalVideoIndex(bytesReader(finalBytes), finalBytes.length);
    expect(index.samples.map((s) => s.dtsMs)).toEqual(PTS);
    expect(index.samples.filter((s) => s.isKey).map((s) => s.dtsMs)).toEqual(PTS.filter((_, i) => i % GOP === 0));
  });

  test("the fragmented file gives the same times", async () => {
    const index = await fragmentedVideoIndex(bytesReader(fragmentedBytes), fragmentedBytes.length);
    expect(index.samples.map((s) => s.dtsMs)).toEqual(PTS);
  });
});

describe("clip between keyframes", () => {
  // 1234 ms: picture 12 (1200 ms) is on screen, in the group that starts at picture 10; next keyframe at 20
  for (const [label, from, to] of [["mid-group start", 1234, 3456], ["across the idle second", 2450, 4400], ["within one group", 1710, 1980]] as const) {
    test(`${label}: ${from}..${to} ms lasts ${to - from} ms, starts with the picture at ${from} ms, decodes cleanly`, async () => {
      const index = await finalVideoIndex(bytesReader(finalBytes), finalBytes.length);
      const { path, prepared } = await cut(index, from, to, `clip-${from}.mp4`);
      expect(prepared.reencoded).toBeGreaterThan(0);
      const probed = await probe(path);
      expect(Math.abs(probed.durationMs - (to - from))).toBeLessThanOrEqual(100);
      expect(probed.packets[0].isKey).toBe(true);
      expect(probed.packets[0].ptsMs).toBe(0);
      const decoded = await decodeAll(path);
      expect(decoded.errors).toBe("");
      expect(decoded.frames).toBe(prepared.reencoded + prepared.copied);
      const want = await pictureAt(recordingPath, from, WIDTH, HEIGHT);
      const got = await pictureAt(path, 0, WIDTH, HEIGHT);
      expect(rgbPsnr(got, want)).toBeGreaterThanOrEqual(35);
      // and the last picture of the clip is the recording's picture just before `to`
      const wantLast = await pictureAt(recordingPath, to - 1, WIDTH, HEIGHT);
      const gotLast = await pictureAt(path, to - from - 1, WIDTH, HEIGHT);
      expect(rgbPsnr(gotLast, wantLast)).toBeGreaterThanOrEqual(35);
      expect(await formatTags(path)).toMatchObject({ "com.deskreel.recording_id": "rec-1", "com.deskreel.clip_from_ms": String(from), "com.deskreel.clip_to_ms": String(to) });
    });
  }

  test("a clip from the live fragmented file matches the recording the same way", async () => {
    const index = await fragmentedVideoIndex(bytesReader(fragmentedBytes), fragmentedBytes.length);
    const { path } = await cut(index, 1650, 3100, "clip-live.mp4");
    const probed = await probe(path);
    expect(Math.abs(probed.durationMs - 1450)).toBeLessThanOrEqual(100);
    const got = await pictureAt(path, 0, WIDTH, HEIGHT);
    expect(rgbPsnr(got, await pictureAt(recordingPath, 1650, WIDTH, HEIGHT))).toBeGreaterThanOrEqual(35);
  });
});

describe("clip at a keyframe", () => {
  test("nothing is re-encoded: the samples are the recording's bytes", async () => {
    const index = await finalVideoIndex(bytesReader(finalBytes), finalBytes.length);
    const keyAt = PTS[GOP]; // picture 10 is a keyframe
    const { path, prepared } = await cut(index, keyAt + 40, keyAt + 1000, "clip-key.mp4");
    expect(prepared.reencoded).toBe(0);
    expect(prepared.copied).toBe(10);
    const bytes = await Bun.file(path).bytes();
    const first = clip.samples[GOP].data;
    expect(Buffer.from(bytes).indexOf(Buffer.from(first))).toBeGreaterThan(0);
    const probed = await probe(path);
    expect(Math.abs(probed.durationMs - 960)).toBeLessThanOrEqual(100);
  });

  test("a clip that starts before the first picture keeps the wait before it", async () => {
    const index = await finalVideoIndex(bytesReader(lateStartBytes), lateStartBytes.length);
    const { path, prepared } = await cut(index, 200, 1000, "clip-start.mp4");
    expect(prepared.reencoded).toBe(0);
    const probed = await probe(path);
    expect(Math.abs(probed.durationMs - 800)).toBeLessThanOrEqual(100);
    expect(probed.packets[0].ptsMs).toBe(300);
  });
});

describe("planClip", () => {
  const samples: StoredSample[] = PTS.map((dtsMs, i) => ({ offset: i * 10, size: 10, dtsMs, durationMs: (PTS[i + 1] ?? END_MS) - dtsMs, isKey: i % GOP === 0 }));

  test("times start at 0 and end exactly at to − from", () => {
    const plan = planClip(samples, 1234, 3456);
    const all = [...plan.reencode, ...plan.copy];
    expect(all[0].dtsMs).toBe(0);
    for (let i = 1; i < all.length; i++) expect(all[i].dtsMs).toBe(all[i - 1].dtsMs + all[i - 1].durationMs);
    const last = all[all.length - 1];
    expect(last.dtsMs + last.durationMs).toBe(3456 - 1234);
    expect(plan.decode[0].dtsMs).toBe(1000); // from the group's keyframe
    expect(plan.reencode.map((c) => c.source.dtsMs)).toEqual([1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900]);
    expect(plan.copy[0].source.isKey).toBe(true);
  });

  test("a span past the last picture lets the last picture last (a live recording's newest)", () => {
    const plan = planClip(samples, PTS[PICTURES - 1] - 50, PTS[PICTURES - 1] + 5000);
    expect(plan.durationMs).toBe(5050);
    expect(plan.reencode.at(-1)!.durationMs).toBe(5000);
  });

  test("empty or reversed spans are refused", () => {
    expect(() => planClip(samples, 1000, 1000)).toThrow(RangeError);
    expect(() => planClip(samples, 2000, 1000)).toThrow(RangeError);
    const late = samples.map((s) => ({ ...s, dtsMs: s.dtsMs + LATE_START_MS }));
    expect(() => planClip(late, 0, 400)).toThrow(RangeError); // no picture before 400 ms
  });
});
