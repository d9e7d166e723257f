// RGBA → I420 (BT.601, limited range), chroma averaged over each 2×2 block. Doing this in JS rather
// than in the WASM module costs ~5 ms per 1080p frame, copies half the bytes into the module, and
// avoids the module's point-sampled chroma that makes coloured text fringe.
import type { RowSpan } from "../compose/rowSpan.ts";

/** Largest picture side either backend accepts. */
export const MAX_SIDE = 8192;

/** Throws a RangeError unless width and height are even integers in 2..MAX_SIDE (what I420 needs). */
export function checkPictureSize(width: number, height: number): void {
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 2 || v > MAX_SIDE || v % 2 !== 0) throw new RangeError(`${name} ${v} must be an even integer in 2..${MAX_SIDE}`);
  }
}

/**
 * Converts `rgba` (width*height*4, width and height even) into `out` (width*height*3/2). With `rows`,
 * only those rows (widened to whole 2×2 blocks) are converted; the rest of `out` is kept as it was.
 */
export function rgbaToI420(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  out: Uint8Array,
  rows: readonly RowSpan[] = [[0, height]],
): void {
  for (const [from, to] of rows) convertRows(rgba, width, height, out, Math.max(0, from & ~1), Math.min(height, (to + 1) & ~1));
}

function convertRows(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, out: Uint8Array, fromRow: number, toRow: number): void {
  const ySize = width * height;
  const uBase = ySize;
  const vBase = ySize + (ySize >> 2);
  const stride = width * 4;
  let c = (fromRow >> 1) * (width >> 1);
  for (let y = fromRow; y < toRow; y += 2) {
    let p0 = y * stride;
    let p1 = p0 + stride;
    let y0 = y * width;
    let y1 = y0 + width;
    for (let x = 0; x < width; x += 2) {
      const r0 = rgba[p0], g0 = rgba[p0 + 1], b0 = rgba[p0 + 2];
      const r1 = rgba[p0 + 4], g1 = rgba[p0 + 5], b1 = rgba[p0 + 6];
      const r2 = rgba[p1], g2 = rgba[p1 + 1], b2 = rgba[p1 + 2];
      const r3 = rgba[p1 + 4], g3 = rgba[p1 + 5], b3 = rgba[p1 + 6];
      out[y0++] = ((66 * r0 + 129 * g0 + 25 * b0 + 128) >> 8) + 16;
      out[y0++] = ((66 * r1 + 129 * g1 + 25 * b1 + 128) >> 8) + 16;
      out[y1++] = ((66 * r2 + 129 * g2 + 25 * b2 + 128) >> 8) + 16;
      out[y1++] = ((66 * r3 + 129 * g3 + 25 * b3 + 128) >> 8) + 16;
      const r = r0 + r1 + r2 + r3;
      const g = g0 + g1 + g2 + g3;
      const b = b0 + b1 + b2 + b3;
      out[uBase + c] = ((-38 * r - 74 * g + 112 * b + 512) >> 10) + 128;
      out[vBase + c] = ((112 * r - 94 * g - 18 * b + 512) >> 10) + 128;
      c++;
      p0 += 8;
      p1 += 8;
    }
  }
}
