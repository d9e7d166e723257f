// Fits a screen's RGBA pixels into a picture of another size (aspect kept, centred, black bars: fit.ts),
// in plain TypeScript, for any rows of the picture on their own: a frame update redraws only the rows
// that changed screen rows reach, and gets exactly the bytes a whole redraw would. Separable filter,
// weights precomputed per output column and row in 14-bit fixed point: the Mitchell cubic when enlarging
// (as the canvas did before), the area each output pixel covers when shrinking (no aliasing, however
// small the picture: previews and thumbnails).
import type { RowSpan } from "./rowSpan.ts";
import { placeScreen, type Placement, type Size } from "./fit.ts";

const WEIGHT_BITS = 14;
const ONE = 1 << WEIGHT_BITS;
const ROUND = 1 << (WEIGHT_BITS - 1);

/** Per output position: `taps` source positions (clamped to the source) and their weights. */
interface Taps {
  taps: number;
  index: Int32Array;
  weight: Int32Array;
}

export class FitResampler {
  readonly place: Placement;
  private readonly xs: Taps;
  private readonly ys: Taps;
  /** Horizontally resampled source rows (RGBA at the placed width), reused between calls. */
  private block = new Uint8ClampedArray(0);

  constructor(
    readonly screen: Size,
    readonly picture: Size,
  ) {
    this.place = placeScreen(screen, picture);
    this.xs = taps(screen.width, this.place.width);
    this.ys = taps(screen.height, this.place.height);
  }

  /** Picture rows whose pixels depend on screen rows `rows` (sorted spans, possibly overlapping). */
  pictureRowsOf(rows: readonly RowSpan[]): Array<[number, number]> {
    const { taps: n, index } = this.ys;
    const out: Array<[number, number]> = [];
    for (const [from, to] of rows) {
      // Output rows read source rows in increasing order: find the first and last that touch [from, to).
      let first = -1;
      let last = -1;
      for (let oy = 0; oy < this.place.height; oy++) {
        const lo = index[oy * n];
        const hi = index[oy * n + n - 1];
        if (hi >= from && lo < to) {
          if (first === -1) first = oy;
          last = oy;
        } else if (lo >= to) {
          break;
        }
      }
      if (first !== -1) out.push([this.place.y + first, this.place.y + last + 1]);
    }
    return out;
  }

  /**
   * Writes the fitted picture into `out` (picture-sized RGBA): every row, or only the rows in `rows`
   * (rows outside them keep what `out` held). `rgba` is the screen's pixels.
   */
  render(rgba: Uint8Array, out: Uint8Array | Uint8ClampedArray, rows: readonly RowSpan[] | null = null): void {
    for (const [from, to] of rows ?? [[0, this.picture.height] as const]) this.renderRows(rgba, out, Math.max(0, from), Math.min(this.picture.height, to));
  }

  private renderRows(rgba: Uint8Array, out: Uint8Array | Uint8ClampedArray, from: number, to: number): void {
    const { place, picture } = this;
    const rowBytes = picture.width * 4;
    // Bars (and everything outside the placed screen) black.
    for (let y = from; y < to; y++) {
      const inside = y >= place.y && y < place.y + place.height;
      if (!inside) fillBlack(out, y * rowBytes, (y + 1) * rowBytes);
      else {
        fillBlack(out, y * rowBytes, (y * picture.width + place.x) * 4);
        fillBlack(out, (y * picture.width + place.x + place.width) * 4, (y + 1) * rowBytes);
      }
    }
    const oy0 = Math.max(0, from - place.y);
    const oy1 = Math.min(place.height, to - place.y);
    if (oy0 >= oy1) return;
    if (place.unscaled) {
      const w = place.width * 4;
      for (let oy = oy0; oy < oy1; oy++) {
        const src = oy * this.screen.width * 4;
        out.set(rgba.subarray(src, src + w), ((place.y + oy) * picture.width + place.x) * 4);
      }
      return;
    }
    const ys = this.ys;
    const s0 = ys.index[oy0 * ys.taps];
    const s1 = ys.index[(oy1 - 1) * ys.taps + ys.taps - 1] + 1;
    const blockRow = place.width * 4;
    if (this.block.length < (s1 - s0) * blockRow) this.block = new Uint8ClampedArray((s1 - s0) * blockRow);
    for (let sy = s0; sy < s1; sy++) this.horizontal(rgba, sy, (sy - s0) * blockRow);
    this.vertical(out, oy0, oy1, s0);
  }

  /** Source row `sy` resampled to the placed width, into the block at `at`. */
  private horizontal(rgba: Uint8Array, sy: number, at: number): void {
    const { taps: n, index, weight } = this.xs;
    const block = this.block;
    const row = sy * this.screen.width * 4;
    if (n === 4) {
      // Enlarging: four taps, unrolled.
      for (let ox = 0, t = 0; ox < this.place.width; ox++, t += 4, at += 4) {
        const p0 = row + index[t] * 4, p1 = row + index[t + 1] * 4, p2 = row + index[t + 2] * 4, p3 = row + index[t + 3] * 4;
        const w0 = weight[t], w1 = weight[t + 1], w2 = weight[t + 2], w3 = weight[t + 3];
        block[at] = (ROUND + rgba[p0] * w0 + rgba[p1] * w1 + rgba[p2] * w2 + rgba[p3] * w3) >> WEIGHT_BITS;
        block[at + 1] = (ROUND + rgba[p0 + 1] * w0 + rgba[p1 + 1] * w1 + rgba[p2 + 1] * w2 + rgba[p3 + 1] * w3) >> WEIGHT_BITS;
        block[at + 2] = (ROUND + rgba[p0 + 2] * w0 + rgba[p1 + 2] * w1 + rgba[p2 + 2] * w2 + rgba[p3 + 2] * w3) >> WEIGHT_BITS;
      }
      return;
    }
    for (let ox = 0, t = 0; ox < this.place.width; ox++, t += n, at += 4) {
      let r = ROUND;
      let g = ROUND;
      let b = ROUND;
      for (let k = 0; k < n; k++) {
        const p = row + index[t + k] * 4;
        const w = weight[t + k];
        r += rgba[p] * w;
        g += rgba[p + 1] * w;
        b += rgba[p + 2] * w;
      }
      block[at] = r >> WEIGHT_BITS;
      block[at + 1] = g >> WEIGHT_BITS;
      block[at + 2] = b >> WEIGHT_BITS;
    }
  }

  /** Output rows [oy0, oy1) of the placed screen from the block (whose first row is source row s0). */
  private vertical(out: Uint8Array | Uint8ClampedArray, oy0: number, oy1: number, s0: number): void {
    const { taps: n, index, weight } = this.ys;
    const { place, picture } = this;
    const block = this.block;
    const blockRow = place.width * 4;
    const clamp = out instanceof Uint8ClampedArray ? null : (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
    for (let oy = oy0; oy < oy1; oy++) {
      const t = oy * n;
      let at = ((place.y + oy) * picture.width + place.x) * 4;
      if (n === 4 && clamp === null) {
        // Enlarging into a frame: four taps, unrolled; the clamped array clamps.
        const r0 = (index[t] - s0) * blockRow, r1 = (index[t + 1] - s0) * blockRow, r2 = (index[t + 2] - s0) * blockRow, r3 = (index[t + 3] - s0) * blockRow;
        const w0 = weight[t], w1 = weight[t + 1], w2 = weight[t + 2], w3 = weight[t + 3];
        for (let x = 0; x < blockRow; x += 4, at += 4) {
          out[at] = (ROUND + block[r0 + x] * w0 + block[r1 + x] * w1 + block[r2 + x] * w2 + block[r3 + x] * w3) >> WEIGHT_BITS;
          out[at + 1] = (ROUND + block[r0 + x + 1] * w0 + block[r1 + x + 1] * w1 + block[r2 + x + 1] * w2 + block[r3 + x + 1] * w3) >> WEIGHT_BITS;
          out[at + 2] = (ROUND + block[r0 + x + 2] * w0 + block[r1 + x + 2] * w1 + block[r2 + x + 2] * w2 + block[r3 + x + 2] * w3) >> WEIGHT_BITS;
          out[at + 3] = 255;
        }
        continue;
      }
      for (let x = 0; x < blockRow; x += 4, at += 4) {
        let r = ROUND;
        let g = ROUND;
        let b = ROUND;
        for (let k = 0; k < n; k++) {
          const p = (index[t + k] - s0) * blockRow + x;
          const w = weight[t + k];
          r += block[p] * w;
          g += block[p + 1] * w;
          b += block[p + 2] * w;
        }
        if (clamp === null) {
          out[at] = r >> WEIGHT_BITS;
          out[at + 1] = g >> WEIGHT_BITS;
          out[at + 2] = b >> WEIGHT_BITS;
        } else {
          out[at] = clamp(r >> WEIGHT_BITS);
          out[at + 1] = clamp(g >> WEIGHT_BITS);
          out[at + 2] = clamp(b >> WEIGHT_BITS);
        }
        out[at + 3] = 255;
      }
    }
  }
}

function fillBlack(out: Uint8Array | Uint8ClampedArray, from: number, to: number): void {
  for (let i = from; i < to; i += 4) {
    out[i] = 0;
    out[i + 1] = 0;
    out[i + 2] = 0;
    out[i + 3] = 255;
  }
}

/**
 * Mitchell-Netravali (B = C = 1/3), the cubic Skia uses for a canvas's "high" smoothing when enlarging:
 * frames look as they did when the canvas fitted them (within ~60 dB).
 */
function mitchell(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return (7 * t * t * t - 12 * t * t + 16 / 3) / 6;
  if (t < 2) return ((-7 / 3) * t * t * t + 12 * t * t - 20 * t + 32 / 3) / 6;
  return 0;
}

/** The filter taps taking `from` samples to `to` samples (each output sample's centre mapped back). */
function taps(from: number, to: number): Taps {
  const scale = to / from;
  const shrinking = scale < 1;
  const n = shrinking ? Math.ceil(1 / scale) + 1 : 4;
  const index = new Int32Array(to * n);
  const weight = new Int32Array(to * n);
  const w = new Float64Array(n);
  for (let o = 0; o < to; o++) {
    let first: number;
    if (shrinking) {
      // Output sample o covers source [o/scale, (o+1)/scale): each source sample weighs by its overlap.
      const lo = o / scale;
      const hi = (o + 1) / scale;
      first = Math.floor(lo);
      for (let k = 0; k < n; k++) w[k] = Math.max(0, Math.min(hi, first + k + 1) - Math.max(lo, first + k));
    } else {
      const centre = (o + 0.5) / scale - 0.5;
      first = Math.floor(centre) - 1;
      for (let k = 0; k < n; k++) w[k] = mitchell(first + k - centre);
    }
    let sum = 0;
    for (let k = 0; k < n; k++) sum += w[k];
    let fixedSum = 0;
    let biggest = 0;
    for (let k = 0; k < n; k++) {
      const i = o * n + k;
      index[i] = Math.min(from - 1, Math.max(0, first + k));
      weight[i] = Math.round((w[k] / sum) * ONE);
      fixedSum += weight[i];
      if (weight[i] > weight[o * n + biggest]) biggest = k;
    }
    weight[o * n + biggest] += ONE - fixedSum; // the weights sum to exactly one
  }
  return { taps: n, index, weight };
}
