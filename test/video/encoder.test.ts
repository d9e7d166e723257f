import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { Compositor } from "../../src/video/compose/compositor.ts";
import { readMp4Samples } from "../../src/video/mp4/reader.ts";
import { annexBStream, avccNalUnits } from "../../src/video/encoder/annexb.ts";
import { HmeH264Encoder, type HmeFrame } from "../../src/video/encoder/hmeEncoder.ts";
import { loadHmeRuntime } from "../../src/video/encoder/hmeRuntime.ts";
import { EncoderFailure, type H264CodecConfig } from "../../src/video/encoder/types.ts";
import { rgbaToI420 } from "../../src/video/encoder/yuv.ts";
import { SAMPLE_CAPTURE } from "../support/corpusPath.ts";
import { applyWire } from "./helpers/pictures.ts";
import { measureInChild } from "../support/childMemory.ts";

const dir = mkdtempSync(join(tmpdir(), "deskreel-encoder-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pictures of the sample capture at the given session times (RGBA 1280x720). */
async function samplePictures(times: number[]): Promise<Uint8ClampedArray[]> {
  const records = readTdpcap(new Uint8Array(await Bun.file(SAMPLE_CAPTURE).arrayBuffer()));
  const compositor = new Compositor();
  const out: Uint8ClampedArray[] = [];
  let i = 0;
  for (const t of times) {
    while (i < records.length && records[i].delayMs <= t) applyWire(compositor, records[i++].data);
    out.push(compositor.takeFrame({ width: 1280, height: 720 }).slice());
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

/** Decodes an Annex-B file with ffmpeg into RGB24 (or, with `yuv`, I420) frames. */
function decodeWithFfmpeg(path: string, width: number, height: number, yuv = false): Uint8Array[] {
  const format = yuv ? "yuv420p" : "rgb24";
  const run = Bun.spawnSync(["ffmpeg", "-v", "error", "-f", "h264", "-i", path, "-f", "rawvideo", "-pix_fmt", format, "-"]);
  expect(run.stderr.toString()).toBe("");
  expect(run.exitCode).toBe(0);
  const bytes = new Uint8Array(run.stdout);
  const frameBytes = yuv ? (width * height * 3) / 2 : width * height * 3;
  expect(bytes.length % frameBytes).toBe(0);
  return Array.from({ length: bytes.length / frameBytes }, (_, k) => bytes.subarray(k * frameBytes, (k + 1) * frameBytes));
}

function psnrRgb(source: Uint8ClampedArray, decodedRgb: Uint8Array): number {
  let sq = 0;
  const pixels = decodedRgb.length / 3;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      const d = source[p * 4 + c] - decodedRgb[p * 3 + c];
      sq += d * d;
    }
  }
  const mse = sq / (pixels * 3);
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / mse);
}

/** PSNR of the luma plane: what the encoder lost, without the 4:2:0 chroma subsampling. */
function psnrLuma(source: Uint8ClampedArray, width: number, height: number, decodedI420: Uint8Array): number {
  const reference = new Uint8Array((width * height * 3) / 2);
  rgbaToI420(source, width, height, reference);
  let sq = 0;
  for (let i = 0; i < width * height; i++) {
    const d = reference[i] - decodedI420[i];
    sq += d * d;
  }
  const mse = sq / (width * height);
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / mse);
}

function writeAnnexB(name: string, config: H264CodecConfig, frames: HmeFrame[]): string {
  const path = join(dir, name);
  Bun.write(path, annexBStream(config, frames));
  return path;
}

describe("h264-mp4-encoder backend", () => {
  test("memory stays flat: RSS after 2000 small frames ~ after 200", async () => {
    // In a fresh process: RSS in this shared one follows what earlier test files left for the collector.
    const { result: r } = await measureInChild<{
      bytes: number; rssAt200: number; rssAtEnd: number; wasmAt200: number; wasmAtEnd: number; restarts: number; drainRestarts: number; seconds: number;
    }>(join(import.meta.dir, "workloads/encoderSmallFrames.ts"), "encodeSmallFrames", [2000]);
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `RSS after 200 frames ${mb(r.rssAt200)} MB, after 2000 ${mb(r.rssAtEnd)} MB; WASM heap ${mb(r.wasmAt200)} -> ${mb(r.wasmAtEnd)} MB; ` +
        `${mb(r.bytes)} MB encoded in ${r.seconds.toFixed(1)} s; ${r.restarts} restarts, ${r.drainRestarts} drains`,
    );
    // Kept in the module's FS, the output alone would grow memory by `bytes`.
    expect(r.bytes).toBeGreaterThan(15 * 1024 * 1024);
    expect(r.wasmAtEnd).toBe(r.wasmAt200);
    // A leaked output would add `bytes`; allocator noise in a fresh process is 1–5 MB (seen under load).
    expect(r.rssAtEnd - r.rssAt200).toBeLessThan(r.bytes / 2);
  }, 60_000);

  test("produces decodable H.264 (ffmpeg) with PSNR >= 35 dB, keyframes exactly where forced", async () => {
    const times = [0, 100, 200, 2000, 4547, 4700, 8100, 8200, 23600, 29800, 30300, 30400, 45700];
    const forced = new Set([0, 3, 8]);
    const pictures = await samplePictures(times);
    const encoder = await HmeH264Encoder.create();
    const config = encoder.configureSync(1280, 720);
    expect(config.sps.length).toBe(1);
    expect(config.sps[0][0] & 0x1f).toBe(7);
    expect(config.sps[0][1]).toBe(66); // Baseline
    expect(config.pps[0][0] & 0x1f).toBe(8);
    const frames = pictures.map((rgba, k) => encoder.encodeSync(rgba, forced.has(k)));
    const stats = encoder.stats;
    encoder.close();
    expect(frames.map((f, k) => f.isKey === forced.has(k))).toEqual(frames.map(() => true));
    for (const f of frames) {
      const units = avccNalUnits(f.data);
      expect(units.length).toBe(1);
      expect(units[0][0] & 0x1f).toBe(f.isKey ? 5 : 1);
    }
    const path = writeAnnexB("sample.h264", config, frames);
    const decoded = decodeWithFfmpeg(path, 1280, 720);
    expect(decoded.length).toBe(frames.length);
    const psnrs = decoded.map((rgb, k) => psnrRgb(pictures[k], rgb));
    const lumaPsnrs = decodeWithFfmpeg(path, 1280, 720, true).map((yuv, k) => psnrLuma(pictures[k], 1280, 720, yuv));
    console.log(`PSNR (RGB, QP 28) per frame: ${psnrs.map((p) => p.toFixed(1)).join(" ")}`);
    console.log(`Y-PSNR per frame: ${lumaPsnrs.map((p) => p.toFixed(1)).join(" ")}`);
    for (const p of lumaPsnrs) expect(p).toBeGreaterThanOrEqual(40);
    console.log(`bytes per frame: ${frames.map((f) => f.data.length).join(" ")}`);
    console.log(`restarts for keyframes: ${stats.restarts}, ${(stats.restartMs / Math.max(1, stats.restarts)).toFixed(2)} ms each`);
    for (const p of psnrs) expect(p).toBeGreaterThanOrEqual(35);
  }, 30_000);

  test("samples handed out per frame are byte-identical to the package's own finished MP4", async () => {
    const pictures = await samplePictures([1893, 1950, 2000, 2100, 2200, 2300, 2400, 2500, 2600, 2700, 2800, 2900]);
    const ours = await HmeH264Encoder.create();
    ours.configureSync(1280, 720);
    const tapped = pictures.map((rgba) => ours.encodeSync(rgba, false).data);
    ours.close();

    // The same frames through the package's public API only: whole MP4 in its FS, read at the end.
    const runtime = await loadHmeRuntime();
    const plain = await runtime.createEncoder();
    Object.assign(plain, { width: 1280, height: 720, frameRate: 1, quantizationParameter: 28, speed: 10, groupOfPictures: 0, outputFilename: "/plain.mp4" });
    plain.initialize();
    const yuv = new Uint8Array(1280 * 720 * 1.5);
    for (const rgba of pictures) {
      rgbaToI420(rgba, 1280, 720, yuv);
      plain.addFrameYuv(yuv);
    }
    plain.finalize();
    const file = plain.FS.readFile("/plain.mp4");
    plain.FS.unlink("/plain.mp4");
    plain.delete();
    const parsed = readMp4Samples(file);
    expect(parsed.samples.length).toBe(tapped.length);
    parsed.samples.forEach((s, k) => {
      expect(s.isKey).toBe(k === 0);
      expect(Buffer.from(file.subarray(s.offset, s.offset + s.size)).equals(Buffer.from(tapped[k]))).toBe(true);
    });
    // Several of these frames are smaller than the 4 KB filebuf: they were read from WASM memory.
    expect(tapped.filter((t) => t.length < 4096).length).toBeGreaterThan(0);
  }, 30_000);

  test("a first frame smaller than the filebuf still comes out at once (drained by a restart)", async () => {
    const encoder = await HmeH264Encoder.create();
    const config = encoder.configureSync(64, 48);
    const frames: HmeFrame[] = [];
    const pictures: Uint8ClampedArray[] = [];
    for (let k = 0; k < 6; k++) {
      const rgba = new Uint8ClampedArray(64 * 48 * 4).fill(255);
      for (let p = 0; p < 64 * 48; p++) rgba.fill(((p % 64) * 3 + k * 20) % 256, p * 4, p * 4 + 3);
      pictures.push(rgba);
      frames.push(encoder.encodeSync(rgba, false));
    }
    const stats = encoder.stats;
    encoder.close();
    expect(stats.drainRestarts).toBeGreaterThan(0);
    expect(frames.every((f) => f.data.length > 0 && f.data.length < 4096)).toBe(true);
    const decoded = decodeWithFfmpeg(writeAnnexB("tiny.h264", config, frames), 64, 48);
    expect(decoded.length).toBe(6);
    decoded.forEach((rgb, k) => expect(psnrRgb(pictures[k], rgb)).toBeGreaterThan(35));
  }, 30_000);

  test("wrong sizes are refused before reaching WASM, and the encoder keeps working", async () => {
    const encoder = await HmeH264Encoder.create();
    expect(() => encoder.configureSync(63, 48)).toThrow(RangeError);
    encoder.configureSync(64, 48);
    expect(() => encoder.encodeSync(new Uint8Array(64 * 48 * 4 - 1), false)).toThrow(RangeError);
    expect(() => encoder.encodeSync(new Uint8Array(64 * 48 * 3), true)).toThrow(RangeError);
    const ok = encoder.encodeSync(new Uint8Array(64 * 48 * 4), false);
    expect(ok.isKey).toBe(true);
    expect(() => encoder.configureSync(64, 48)).toThrow();
    encoder.close();
    expect(() => encoder.encodeSync(new Uint8Array(64 * 48 * 4), false)).toThrow("closed");
  }, 30_000);

  test("the tap fails loudly when bytes read from WASM memory are not what gets written", async () => {
    // Stand-in for a changed package: corrupt the filebuf's pending bytes after we have read them.
    const pictures = await samplePictures([1893, 1950, 2000, 2100, 2200, 2300, 2400, 2500, 2600]);
    const encoder = await HmeH264Encoder.create();
    encoder.configureSync(1280, 720);
    encoder.encodeSync(pictures[0], false);
    const small = encoder.encodeSync(pictures[1], false);
    const runtime = await loadHmeRuntime();
    const heap = Buffer.from(runtime.heap().buffer);
    const tail = small.data.subarray(small.data.length - Math.min(48, small.data.length - 4));
    const at = heap.indexOf(tail);
    expect(at).toBeGreaterThan(0);
    heap[at] ^= 0xff;
    let failure: unknown = null;
    try {
      for (const rgba of pictures.slice(2)) encoder.encodeSync(rgba, false);
      encoder.encodeSync(pictures[0], true); // a restart finalizes and flushes everything
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(EncoderFailure);
    expect(String(failure)).toContain("internals changed");
  }, 30_000);

});
