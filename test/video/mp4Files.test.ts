// Fragmented and final MP4 files built from real H.264, judged by ffprobe/ffmpeg: timing with idle
// stretches, key flags, layout, truncation, and the pixels that come out of a decoder.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalMp4Layout, writeFinalMp4 } from "../../src/video/mp4/final.ts";
import { encodeMediaFragment, initSegment } from "../../src/video/mp4/fragmented.ts";
import { bytesReader, fileSink } from "../../src/video/mp4/io.ts";
import { readMp4Samples } from "../../src/video/mp4/reader.ts";
import type { StoredSample } from "../../src/video/mp4/types.ts";
import { decodeAll, pictureAt, probe, probeStream, psnr, topLevelBoxes } from "./helpers/ffmpeg.ts";
import { encodeTestClip, type TestClip } from "./helpers/testClip.ts";

// An idle stretch from 200 to 5200 ms (one long sample), a P-frame after a short pause, end at 9000.
const PTS = [0, 100, 200, 5200, 5300, 5400, 5500, 7000];
const END_MS = 9000;
const KEY_INDEXES = [0, 4]; // group of pictures = 4

let dir: string;
let clip: TestClip;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "deskreel-mp4-"));
  clip = await encodeTestClip({ width: 320, height: 240, pictures: PTS.length, groupOfPictures: 4 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A live-style file: one fragment per frame, each with a short provisional duration. */
function fragmentedFile(pts: number[], provisionalMs: number) {
  const parts = [initSegment(clip.config)];
  const fragmentEnds: number[] = [];
  let size = parts[0].length;
  clip.samples.forEach((sample, i) => {
    const { bytes } = encodeMediaFragment(i + 1, [{ data: sample.data, isKey: sample.isKey, dtsMs: pts[i], durationMs: provisionalMs }]);
    parts.push(bytes);
    size += bytes.length;
    fragmentEnds.push(size);
  });
  const file = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    file.set(part, at);
    at += part.length;
  }
  return { file, initBytes: parts[0].length, fragmentEnds };
}

/** The clip's samples laid out back to back in memory, as a final-MP4 source. */
function sampleSource(pts: number[], endMs: number): { source: Uint8Array; samples: StoredSample[] } {
  const source = new Uint8Array(clip.samples.reduce((n, s) => n + s.data.length, 0));
  let offset = 0;
  const samples = clip.samples.map((s, i) => {
    source.set(s.data, offset);
    const entry = { offset, size: s.data.length, dtsMs: pts[i], durationMs: (pts[i + 1] ?? endMs) - pts[i], isKey: s.isKey };
    offset += s.data.length;
    return entry;
  });
  return { source, samples };
}

test("the encoder's keyframes are where the group of pictures puts them", () => {
  expect(clip.samples.map((s, i) => (s.isKey ? i : -1)).filter((i) => i >= 0)).toEqual(KEY_INDEXES);
});

describe("fragmented MP4", () => {
  test("ffprobe sees every frame at its tfdt time, idle gaps included, with key flags", async () => {
    const path = join(dir, "live.mp4");
    await Bun.write(path, fragmentedFile(PTS, 100).file);
    const probed = await probe(path);
    expect(probed.codec).toBe("h264");
    expect(probed.profile).toContain("Baseline");
    expect([probed.width, probed.height]).toEqual([320, 240]);
    expect(probed.packets.map((p) => p.ptsMs)).toEqual(PTS);
    expect(probed.packets.map((p, i) => (p.isKey ? i : -1)).filter((i) => i >= 0)).toEqual(KEY_INDEXES);
    // the file's duration ends one provisional duration after the newest frame
    expect(Math.abs(probed.durationMs - (PTS[PTS.length - 1] + 100))).toBeLessThanOrEqual(10);
    const decoded = await decodeAll(path);
    expect(decoded.errors).toBe("");
    expect(decoded.frames).toBe(PTS.length);
  });

  test("a file cut inside its last fragment still decodes up to the fragment before", async () => {
    const { file, fragmentEnds } = fragmentedFile(PTS, 100);
    const lastStart = fragmentEnds[fragmentEnds.length - 2];
    for (const [name, cut] of [
      ["in-moof", lastStart + 20],
      ["in-mdat", Math.floor((lastStart + file.length) / 2)],
    ] as const) {
      const path = join(dir, `cut-${name}.mp4`);
      await Bun.write(path, file.subarray(0, cut));
      // ffmpeg may complain about the cut-off tail, but decodes every complete frame before it
      const decoded = await decodeAll(path);
      expect(decoded.code).toBe(0);
      expect(decoded.frames).toBeGreaterThanOrEqual(PTS.length - 1);
      const probed = await probe(path);
      expect(probed.packets.slice(0, PTS.length - 1).map((p) => p.ptsMs)).toEqual(PTS.slice(0, -1));
    }
  });

  test("pictures survive the remux: what ffmpeg shows at t is the frame recorded for t", async () => {
    const path = join(dir, "live-pixels.mp4");
    await Bun.write(path, fragmentedFile(PTS, 100).file);
    // 3000 ms lies in the idle stretch: the picture from 200 ms is still on screen
    for (const [timeMs, index] of [[50, 0], [3000, 2], [5350, 4]] as const) {
      const shown = await pictureAt(path, timeMs, 320, 240);
      expect(psnr(shown, clip.pictures[index])).toBeGreaterThanOrEqual(35);
      expect(psnr(shown, clip.pictures[index])).toBeGreaterThan(psnr(shown, clip.pictures[index + 1]));
    }
  });
});

describe("final MP4", () => {
  async function writeFinal(name: string, pts: number[], endMs: number): Promise<{ path: string; bytes: Uint8Array }> {
    const { source, samples } = sampleSource(pts, endMs);
    const path = join(dir, name);
    await writeFinalMp4({ config: clip.config, samples, read: bytesReader(source) }, await fileSink(path));
    return { path, bytes: new Uint8Array(await Bun.file(path).arrayBuffer()) };
  }

  test("moov comes first and ffprobe reads exact duration, frame times, durations and keyframes", async () => {
    const { path, bytes } = await writeFinal("final.mp4", PTS, END_MS);
    expect(topLevelBoxes(bytes)).toEqual(["ftyp", "moov", "mdat"]);
    const probed = await probe(path);
    expect(probed.codec).toBe("h264");
    expect([probed.width, probed.height]).toEqual([320, 240]);
    expect(Math.abs(probed.durationMs - END_MS)).toBeLessThanOrEqual(10);
    expect(probed.packets.map((p) => p.ptsMs)).toEqual(PTS);
    expect(probed.packets.map((p) => p.durationMs)).toEqual(PTS.map((t, i) => (PTS[i + 1] ?? END_MS) - t));
    expect(probed.packets.map((p, i) => (p.isKey ? i : -1)).filter((i) => i >= 0)).toEqual(KEY_INDEXES);
    const decoded = await decodeAll(path);
    expect(decoded.errors).toBe("");
    expect(decoded.frames).toBe(PTS.length);
  });

  test("pictures in the final file match the source frames at their times", async () => {
    const { path } = await writeFinal("final-pixels.mp4", PTS, END_MS);
    for (const [timeMs, index] of [[150, 1], [4000, 2], [5250, 3], [8900, 7]] as const) {
      const shown = await pictureAt(path, timeMs, 320, 240);
      const expected = psnr(shown, clip.pictures[index]);
      expect(expected).toBeGreaterThanOrEqual(35);
      const neighbour = clip.pictures[index === 7 ? 6 : index + 1];
      expect(expected).toBeGreaterThan(psnr(shown, neighbour));
    }
  });

  test("a first frame after time 0 starts after an empty edit, keeping the session timeline", async () => {
    const late = PTS.map((t) => t + 400);
    const { path } = await writeFinal("final-late.mp4", late, END_MS);
    const probed = await probe(path);
    expect(Math.abs(probed.durationMs - END_MS)).toBeLessThanOrEqual(10);
    expect(probed.packets.map((p) => p.ptsMs)).toEqual(late);
    expect((await decodeAll(path)).errors).toBe("");
  });

  test("sample tables that leave gaps or start on a non-keyframe are refused", async () => {
    const { source, samples } = sampleSource(PTS, END_MS);
    const gap = samples.map((s, i) => (i === 2 ? { ...s, durationMs: s.durationMs - 1 } : s));
    await expect(writeFinalMp4({ config: clip.config, samples: gap, read: bytesReader(source) }, await fileSink(join(dir, "x.mp4")))).rejects.toThrow(
      /ends at .* but the next starts/,
    );
    const noKey = samples.slice(1);
    await expect(writeFinalMp4({ config: clip.config, samples: noKey, read: bytesReader(source) }, await fileSink(join(dir, "y.mp4")))).rejects.toThrow(
      /keyframe/,
    );
    expect(await Bun.file(join(dir, "x.mp4")).exists()).toBe(false); // aborted output is removed
  });
});

describe("multi-hour final MP4", () => {
  test("past 4 GB the layout switches to co64 chunk offsets and a 64-bit mdat size", async () => {
    // 8 hours at 10 fps, 15 KB a frame: the moov is computed without touching sample bytes
    const frames = 288_000;
    const samples = Array.from({ length: frames }, (_, i) => ({
      offset: 0,
      size: 15_000,
      dtsMs: i * 100,
      durationMs: 100,
      isKey: i % 300 === 0,
    }));
    const { head, payloadBytes, durationMs } = finalMp4Layout(clip.config, samples);
    expect(payloadBytes).toBeGreaterThan(2 ** 32);
    expect(durationMs).toBe(frames * 100);
    const text = new TextDecoder("latin1").decode(head);
    expect(text).toContain("co64");
    expect(text).not.toContain("stco");
    const mdatAt = text.lastIndexOf("mdat") - 4;
    const view = new DataView(head.buffer, head.byteOffset);
    expect(view.getUint32(mdatAt)).toBe(1); // largesize follows
    expect(Number(view.getBigUint64(mdatAt + 8))).toBe(payloadBytes + 16);
    const read = readMp4Samples(head);
    expect(read.samples.length).toBe(frames);
    expect(read.samples[0].offset).toBe(head.length);
    const last = read.samples[frames - 1];
    expect(last.offset + last.size).toBe(head.length + payloadBytes);
    expect(last.dts).toBe((frames - 1) * 100);
    expect(read.samples.filter((s) => s.isKey).length).toBe(frames / 300);
    // ffprobe accepts the header of such a file: stream length and frame count from the moov alone
    const path = join(dir, "eight-hours-head.mp4");
    await Bun.write(path, head);
    expect(await probeStream(path)).toEqual({ frames, durationMs: frames * 100 });
  });
});
