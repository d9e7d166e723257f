// Reading back and converting only the rows that changed must give exactly what a full readback and
// conversion give: on the real capture, frame after frame.
import { expect, test } from "bun:test";
import { createCanvas } from "@napi-rs/canvas";
import { encodeMessage } from "../../src/tdp/codec.ts";
import { MessageType } from "../../src/tdp/messages.ts";
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

// The screen fitted into a video of another size: upscaled, downscaled (mipmaps), letterboxed, and
// 1:1 with a padding row. Only the rows the changed screen rows reach are redrawn; the result must be
// what a whole redraw gives, byte for byte.
for (const video of [{ width: 1920, height: 1080 }, { width: 960, height: 540 }, { width: 640, height: 640 }, { width: 1280, height: 722 }]) {
  test(`partial frame updates of a screen fitted into ${video.width}x${video.height} equal whole redraws`, async () => {
    const partial = new Compositor();
    const full = new Compositor();
    let frames = 0;
    let partialFrames = 0;
    let lastT = -1;
    for (const r of records) {
      if (r.delayMs !== lastT && partial.dirty && r.delayMs <= 12_000) {
        const update = partial.takeFrameUpdate(video);
        const whole = full.takeFrame(video);
        if (!Buffer.from(update.rgba).equals(Buffer.from(whole))) {
          let row = 0;
          while (!Buffer.from(update.rgba.subarray(row * video.width * 4, (row + 1) * video.width * 4)).equals(Buffer.from(whole.subarray(row * video.width * 4, (row + 1) * video.width * 4)))) row++;
          throw new Error(`frame ${frames} (${r.delayMs} ms) differs first at video row ${row}; changed rows ${JSON.stringify(update.changedRows)}`);
        }
        if (update.changedRows !== null) partialFrames++;
        frames++;
        await Bun.sleep(0);
      }
      lastT = r.delayMs;
      applyWire(partial, r.data);
      applyWire(full, r.data);
    }
    expect(frames).toBeGreaterThan(20);
    expect(partialFrames).toBeGreaterThan(frames / 2);
  }, 60_000);
}

/** A PNG tile of random pixels: every edge row differs from what it covers, so a too-short redraw shows. */
function noiseTile(width: number, height: number, seed: number): Uint8Array {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  let x = seed;
  for (let i = 0; i < image.data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    image.data[i] = i % 4 === 3 ? 255 : x >>> 24;
  }
  ctx.putImageData(image, 0, 0);
  return new Uint8Array(canvas.toBuffer("image/png"));
}

for (const video of [{ width: 1920, height: 1080 }, { width: 640, height: 360 }, { width: 512, height: 512 }, { width: 200, height: 120 }]) {
  test(`small noise tiles on a 1000x700 screen fitted into ${video.width}x${video.height}: partial updates equal whole redraws`, async () => {
    const partial = new Compositor();
    const full = new Compositor();
    const screen = encodeMessage({ type: MessageType.ClientScreenSpec, width: 1000, height: 700 });
    applyWire(partial, screen);
    applyWire(full, screen);
    for (let i = 0; i < 40; i++) {
      if (i > 0) {
        const w = 5 + ((i * 37) % 60), h = 3 + ((i * 53) % 40);
        const left = (i * 211) % (1000 - w), top = (i * 97) % (700 - h);
        const message = encodeMessage({ type: MessageType.PNGFrame, left, top, right: left + w, bottom: top + h, png: noiseTile(w, h, i) });
        applyWire(partial, message);
        applyWire(full, message);
      }
      const update = partial.takeFrameUpdate(video);
      const whole = full.takeFrame(video);
      if (i > 0) expect(update.changedRows).not.toBeNull();
      expect(Buffer.from(update.rgba).equals(Buffer.from(whole))).toBe(true);
      await Bun.sleep(0);
    }
  }, 30_000);
}

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
