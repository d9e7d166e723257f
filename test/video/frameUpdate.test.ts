// Reading back and converting only the rows that changed must give exactly what a full readback and
// conversion give: on the real capture, frame after frame.
import { expect, test } from "bun:test";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { Compositor } from "../../src/video/compose/compositor.ts";
import { rgbaToI420 } from "../../src/video/encoder/yuv.ts";
import { SAMPLE_CAPTURE } from "../support/corpusPath.ts";
import { applyWire } from "./helpers/pictures.ts";

const records = readTdpcap(new Uint8Array(await Bun.file(SAMPLE_CAPTURE).arrayBuffer()));
const size = { width: 1280, height: 720 };

test("partial frame updates and partial YUV conversion equal full ones, frame after frame", async () => {
  const partial = new Compositor();
  const full = new Compositor();
  const yuvPartial = new Uint8Array((size.width * size.height * 3) / 2);
  const yuvFull = new Uint8Array(yuvPartial.length);
  let frames = 0;
  let partialFrames = 0;
  let sameFrames = 0;
  let previousWhole: Uint8ClampedArray | null = null;
  let lastT = -1;
  for (const r of records) {
    if (r.delayMs !== lastT && partial.dirty && r.delayMs <= 24_000) {
      const update = partial.takeFrameUpdate(size);
      const whole = full.takeFrame(size);
      expect(Buffer.from(update.rgba).equals(Buffer.from(whole))).toBe(true);
      // "same" is exactly "byte for byte the previous frame"
      expect(update.same).toBe(previousWhole !== null && Buffer.from(previousWhole).equals(Buffer.from(whole)));
      if (update.same) sameFrames++;
      previousWhole = whole;
      rgbaToI420(update.rgba, size.width, size.height, yuvPartial, frames === 0 ? undefined : (update.changedRows ?? undefined));
      rgbaToI420(whole, size.width, size.height, yuvFull);
      expect(Buffer.from(yuvPartial).equals(Buffer.from(yuvFull))).toBe(true);
      if (update.changedRows !== null) {
        partialFrames++;
        expect(update.changedRows.every(([a, b]) => a < b)).toBe(true);
      }
      frames++;
      await Bun.sleep(0); // let native readback buffers go
    }
    lastT = r.delayMs;
    applyWire(partial, r.data);
    applyWire(full, r.data);
  }
  expect(frames).toBeGreaterThan(50);
  // most frames of a desktop change a few rows only
  expect(partialFrames).toBeGreaterThan(frames / 2);
  console.log(`${frames} frames of the sample's first 24 s, ${sameFrames} identical to the one before`);
}, 60_000);

test("odd row spans are widened to whole 2x2 blocks", () => {
  const w = 4, h = 6;
  const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37) % 256);
  const whole = new Uint8Array((w * h * 3) / 2);
  rgbaToI420(rgba, w, h, whole);
  const part = new Uint8Array(whole.length);
  rgbaToI420(rgba, w, h, part, [[1, 2], [5, 6]]); // rows 0-1 and 4-5
  const yRow = (y: number) => Array.from(part.subarray(y * w, (y + 1) * w));
  const wRow = (y: number) => Array.from(whole.subarray(y * w, (y + 1) * w));
  for (const y of [0, 1, 4, 5]) expect(yRow(y)).toEqual(wRow(y));
  for (const y of [2, 3]) expect(yRow(y)).toEqual([0, 0, 0, 0]);
});
