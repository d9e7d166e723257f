// RGBA → I420 (BT.601, limited range), chroma averaged over each 2×2 block. Doing this in JS rather
// than in the WASM module costs ~5 ms per 1080p frame, copies half the bytes into the module, and
// avoids the module's point-sampled chroma that makes coloured text fringe.
//
// Clipping correction: where the pixels of a 2×2 block differ in colour (coloured text, RemoteFX
// noise), the block's one chroma pushes some pixels' R, G or B outside 0..255 when a player converts
// back, and the clipping changes their brightness: on a real xrdp desktop a tenth of the pixels clip,
// and the round trip alone, before any encoding, showed it at 33.2 dB luma PSNR. For such a block the
// Y samples are solved so that the brightness shown after clipping is the original's, and the chroma
// is weakened where that cannot be reached at full colour (weighing brightness errors as video coding
// does). Round trip through ffmpeg measured in test/video/yuv.test.ts: xrdp 33.2 → 37.4 dB luma and
// 24.5 → 24.9 dB RGB; a planar desktop 34.9 → 39.0 dB luma.
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
      const u = ((-38 * r - 74 * g + 112 * b + 512) >> 10) + 128;
      const v = ((112 * r - 94 * g - 18 * b + 512) >> 10) + 128;
      out[uBase + c] = u;
      out[vBase + c] = v;
      c++;
      // A block of one colour reconstructs without clipping; only mixed blocks may need the correction.
      if (r0 !== r1 || r0 !== r2 || r0 !== r3 || g0 !== g1 || g0 !== g2 || g0 !== g3 || b0 !== b1 || b0 !== b2 || b0 !== b3) {
        // clipping happens on the way back when a shown channel leaves 0..255: test the block's extremes
        const lo = Math.min(out[y0 - 2], out[y0 - 1], out[y1 - 2], out[y1 - 1]);
        const hi = Math.max(out[y0 - 2], out[y0 - 1], out[y1 - 2], out[y1 - 1]);
        if (clipsBetween(lo, hi, u, v)) {
          block[0] = r0; block[1] = g0; block[2] = b0; block[3] = r1; block[4] = g1; block[5] = b1;
          block[6] = r2; block[7] = g2; block[8] = b2; block[9] = r3; block[10] = g3; block[11] = b3;
          lumas[0] = out[y0 - 2]; lumas[1] = out[y0 - 1]; lumas[2] = out[y1 - 2]; lumas[3] = out[y1 - 1];
          correctBlock(block, lumas, u, v, chroma);
          out[y0 - 2] = lumas[0]; out[y0 - 1] = lumas[1]; out[y1 - 2] = lumas[2]; out[y1 - 1] = lumas[3];
          out[uBase + c - 1] = chroma[0];
          out[vBase + c - 1] = chroma[1];
        }
      }
      p0 += 8;
      p1 += 8;
    }
  }
}

const clip255 = (x: number): number => (x < 0 ? 0 : x > 255 ? 255 : x);
const block = new Int32Array(12);
const lumas = new Uint8Array(4);
const chroma = new Uint8Array(2);
const trial = new Uint8Array(4);
const best = new Uint8Array(4);
/** What chroma (u, v) adds to R, G and B on the way back (BT.601 limited range): set by chromaOffsets. */
const offsets = new Float64Array(3);
/** Chroma strengths tried for a block whose pixels clip: full, then weaker towards grey. */
const STRENGTHS = [1, 0.75, 0.5, 0.25, 0];
/**
 * Weight of a shown pixel's brightness error on top of its R, G, B errors. Squared RGB error weighs
 * Y:Cb:Cr about 3:3.3:2.5; adding 10 × the luma error makes it about 6:1.5:1.1, close to the 6:1:1
 * weighting video coding uses for the eye's greater sensitivity to brightness than to colour.
 */
const LUMA_WEIGHT = 10;
/** Clipping by less than this (RGB levels) changes brightness too little to be worth correcting. */
const CLIP_TOLERANCE = 8;

/**
 * For a 2×2 block (`rgb`: 4 × r,g,b; `ys`: its luma samples) with chroma (u, v) whose pixels clip on the
 * way back: picks the chroma strength and luma samples whose shown pixels are nearest the originals
 * (squared RGB error plus LUMA_WEIGHT × squared brightness error) and writes them into `ys` and `uv`.
 * Full strength is kept when corrected luma alone shows every pixel's brightness within a level.
 */
function correctBlock(rgb: Int32Array, ys: Uint8Array, u: number, v: number, uv: Uint8Array): void {
  let bestError = Infinity;
  for (const strength of STRENGTHS) {
    const su = Math.round(128 + (u - 128) * strength);
    const sv = Math.round(128 + (v - 128) * strength);
    const error = blockError(rgb, ys, su, sv);
    // the error falls and then rises as colour weakens: stop once it rises
    if (error >= bestError) break;
    bestError = error;
    best.set(trial);
    uv[0] = su;
    uv[1] = sv;
    if (strength === 1 && worstLuma <= 1) break;
  }
  ys.set(best);
}

/** Sets `offsets` to what chroma (u, v) adds to a pixel's R, G and B when a player converts it back. */
function chromaOffsets(u: number, v: number): void {
  offsets[0] = 1.596 * (v - 128);
  offsets[1] = -0.392 * (u - 128) - 0.813 * (v - 128);
  offsets[2] = 2.017 * (u - 128);
}

/** The largest brightness error of a pixel in the last blockError call. */
let worstLuma = 0;

/** Corrected luma samples of the block into `trial` for chroma (u, v), and the block's weighted error. */
function blockError(rgb: Int32Array, ys: Uint8Array, u: number, v: number): number {
  chromaOffsets(u, v);
  const dr = offsets[0], dg = offsets[1], db = offsets[2];
  let error = 0;
  worstLuma = 0;
  for (let i = 0; i < 4; i++) {
    const r = rgb[i * 3], g = rgb[i * 3 + 1], b = rgb[i * 3 + 2];
    const q = correctedLuma(ys[i], r, g, b, dr, dg, db);
    trial[i] = q;
    const y = 1.164 * (q - 16);
    const er = clip255(y + dr) - r, eg = clip255(y + dg) - g, eb = clip255(y + db) - b;
    const dl = 0.299 * er + 0.587 * eg + 0.114 * eb;
    if (Math.abs(dl) > worstLuma) worstLuma = Math.abs(dl);
    error += LUMA_WEIGHT * dl * dl + er * er + eg * eg + eb * eb;
  }
  return error;
}

/** Whether luma samples lo..hi with chroma (u, v) show a channel outside 0..255. */
function clipsBetween(lo: number, hi: number, u: number, v: number): boolean {
  chromaOffsets(u, v);
  const dr = offsets[0], dg = offsets[1], db = offsets[2];
  const ylo = 1.164 * (lo - 16);
  const yhi = 1.164 * (hi - 16);
  return ylo + Math.min(dr, dg, db) < -CLIP_TOLERANCE || yhi + Math.max(dr, dg, db) > 255 + CLIP_TOLERANCE;
}

/**
 * The luma sample for pixel (r, g, b) whose block chroma gives offsets (dr, dg, db): `yq` itself unless
 * a channel clips on the way back; then the sample whose shown brightness is nearest the pixel's.
 */
function correctedLuma(yq: number, r: number, g: number, b: number, dr: number, dg: number, db: number): number {
  let y = 1.164 * (yq - 16);
  if (y + dr >= 0 && y + dr <= 255 && y + dg >= 0 && y + dg <= 255 && y + db >= 0 && y + db <= 255) return yq;
  const target = 0.299 * r + 0.587 * g + 0.114 * b;
  // Newton on the piecewise-linear curve: its slope is the weight of the channels not clipped.
  for (let i = 0; i < 4; i++) {
    const cr = y + dr, cg = y + dg, cb = y + db;
    const shown = 0.299 * clip255(cr) + 0.587 * clip255(cg) + 0.114 * clip255(cb);
    const slope = (cr > 0 && cr < 255 ? 0.299 : 0) + (cg > 0 && cg < 255 ? 0.587 : 0) + (cb > 0 && cb < 255 ? 0.114 : 0);
    const error = target - shown;
    if (Math.abs(error) < 0.5) break;
    if (slope === 0) {
      // every channel clipped: step to the nearest point where one comes back
      const edges = error > 0 ? [-dr, -dg, -db].filter((e) => e > y) : [255 - dr, 255 - dg, 255 - db].filter((e) => e < y);
      if (edges.length === 0) break;
      y = error > 0 ? Math.min(...edges) + 0.01 : Math.max(...edges) - 0.01;
      continue;
    }
    y += error / slope;
  }
  const q = Math.round(y / 1.164 + 16);
  return q < 0 ? 0 : q > 255 ? 255 : q;
}
