// Reading MP4s back: the encoder's plain MP4, our final MP4, and our fragmented live file cut anywhere.
import { beforeAll, describe, expect, test } from "bun:test";
import { avcCodecString, avcDecoderConfigRecord, parseAvcDecoderConfigRecord, sameCodecConfig } from "../../src/video/mp4/avc.ts";
import { writeFinalMp4 } from "../../src/video/mp4/final.ts";
import { encodeMediaFragment, initSegment } from "../../src/video/mp4/fragmented.ts";
import { bytesReader, memorySink } from "../../src/video/mp4/io.ts";
import { readFragmentedMp4, readMp4Samples } from "../../src/video/mp4/reader.ts";
import { encodeTestClip, type TestClip } from "./helpers/testClip.ts";
import { concatBytes } from "../../src/bytes.ts";

const PTS = [0, 100, 200, 5200, 5300, 5400];
let clip: TestClip;

beforeAll(async () => {
  clip = await encodeTestClip({ width: 320, height: 240, pictures: PTS.length, groupOfPictures: 3 });
});

const concat = concatBytes;

function liveFile(): { file: Uint8Array; fragmentEnds: number[] } {
  const parts = [initSegment(clip.config)];
  const fragmentEnds: number[] = [];
  let size = parts[0].length;
  clip.samples.forEach((s, i) => {
    const { bytes } = encodeMediaFragment(i + 1, [{ data: s.data, isKey: s.isKey, dtsMs: PTS[i], durationMs: 100 }]);
    parts.push(bytes);
    size += bytes.length;
    fragmentEnds.push(size);
  });
  return { file: concat(parts), fragmentEnds };
}

describe("avc", () => {
  test("codec string comes from profile, constraints and level of the SPS", () => {
    expect(avcCodecString(new Uint8Array([0x67, 0x42, 0xe0, 0x1f, 0xaa]))).toBe("avc1.42E01F");
    expect(avcCodecString(clip.config.sps[0])).toMatch(/^avc1\.42[0-9A-F]{4}$/); // Baseline from the encoder
  });

  test("avcC round-trips the parameter sets and refuses non-SPS units", () => {
    const parsed = parseAvcDecoderConfigRecord(avcDecoderConfigRecord(clip.config));
    expect(parsed.lengthSize).toBe(4);
    expect(sameCodecConfig({ ...clip.config, sps: parsed.sps, pps: parsed.pps }, clip.config)).toBe(true);
    expect(() => avcDecoderConfigRecord({ sps: clip.config.pps, pps: clip.config.pps })).toThrow(/SPS/);
  });
});

describe("plain MP4", () => {
  test("the encoder's samples: one per picture, keyframes found from IDR slices", () => {
    expect(clip.samples.length).toBe(PTS.length);
    expect(clip.samples.map((s) => s.isKey)).toEqual([true, false, false, true, false, false]);
    expect(clip.config.sps[0][0] & 0x1f).toBe(7);
    expect(clip.config.pps[0][0] & 0x1f).toBe(8);
    expect([clip.config.width, clip.config.height]).toEqual([320, 240]);
  });

  test("our final MP4 reads back to the same bytes, times and key flags", async () => {
    const { file } = liveFile();
    const live = await readFragmentedMp4(file);
    const end = 9000;
    const samples = live.samples.map((s, i) => (i === live.samples.length - 1 ? { ...s, durationMs: end - s.dtsMs } : s));
    const sink = memorySink();
    await writeFinalMp4({ config: live.config, samples, read: bytesReader(file) }, sink);
    const final = sink.bytes();
    const read = readMp4Samples(final);
    expect(read.timescale).toBe(1000);
    expect(read.samples.map((s) => s.dts)).toEqual(PTS);
    expect(read.samples.map((s) => s.duration)).toEqual(PTS.map((t, i) => (PTS[i + 1] ?? end) - t));
    expect(read.samples.map((s) => s.isKey)).toEqual(clip.samples.map((s) => s.isKey));
    read.samples.forEach((s, i) => expect(final.subarray(s.offset, s.offset + s.size)).toEqual(clip.samples[i].data));
  });
});

describe("fragmented MP4", () => {
  test("samples come back with their tfdt times, true durations and data offsets", async () => {
    const { file } = liveFile();
    const read = await readFragmentedMp4(file);
    expect(sameCodecConfig(read.config, clip.config)).toBe(true);
    expect(read.fragments).toBe(PTS.length);
    expect(read.ignoredBytes).toBe(0);
    expect(read.samples.map((s) => s.dtsMs)).toEqual(PTS);
    // durations come from the next tfdt, not the provisional 100 ms; the last keeps its declared one
    expect(read.samples.map((s) => s.durationMs)).toEqual([100, 100, 5000, 100, 100, 100]);
    read.samples.forEach((s, i) => expect(file.subarray(s.offset, s.offset + s.size)).toEqual(clip.samples[i].data));
  });

  test("a file cut at any byte yields exactly the fragments that are complete", async () => {
    const { file, fragmentEnds } = liveFile();
    const initEnd = initSegment(clip.config).length;
    for (let cut = initEnd; cut <= file.length; cut += 13) {
      const read = await readFragmentedMp4(file.subarray(0, cut));
      const complete = fragmentEnds.filter((end) => end <= cut).length;
      expect(read.samples.length).toBe(complete);
      expect(read.completeBytes).toBe(complete === 0 ? initEnd : fragmentEnds[complete - 1]);
    }
  });

  test("garbage after the last fragment (zeros from a crash) is ignored", async () => {
    const { file } = liveFile();
    const read = await readFragmentedMp4(concat([file, new Uint8Array(4096)]));
    expect(read.samples.length).toBe(PTS.length);
    expect(read.ignoredBytes).toBe(4096);
  });

  test("a file without a complete moov is an error, not an empty video", async () => {
    const { file } = liveFile();
    await expect(readFragmentedMp4(file.subarray(0, 100))).rejects.toThrow(/moov/);
  });
});
