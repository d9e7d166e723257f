// RDP 6.0 planar bitmaps (MS-RDPEGDI 2.2.2.5): a format header, then an optional alpha plane and three
// colour planes (RGB, or YCoCg with a colour-loss level and optional 2×2 chroma subsampling), each raw or
// RLE with each row a delta of the row before. Rows are bottom-up. The screen has no alpha, so the alpha
// plane is read (to find the planes after it) but not drawn.
import { RdpInputError } from "../errors";

const CLL_MASK = 0x07;
const CHROMA_SUBSAMPLING = 0x08;
const RLE = 0x10;
const NO_ALPHA = 0x20;

/** Reusable plane buffers (planar rectangles are 64×64 in practice); a bigger bitmap gets its own, not kept. */
const KEPT_PLANE_PIXELS = 256 * 256;
let planeBuffer = new Uint8Array(0);

function planes(size: number): Uint8Array {
  if (planeBuffer.length >= size * 4) return planeBuffer;
  if (size > KEPT_PLANE_PIXELS) return new Uint8Array(size * 4);
  planeBuffer = new Uint8Array(size * 4);
  return planeBuffer;
}

/**
 * Decodes one RLE plane of `w`×`h` starting at `pos` into `dst` (w*h bytes, stream row order).
 * Returns the position after it.
 */
function decodeRlePlane(src: Uint8Array, pos: number, w: number, h: number, dst: Uint8Array, dstOff: number): number {
  const end = src.length;
  for (let y = 0; y < h; y++) {
    const row = dstOff + y * w;
    const prev = row - w;
    let x = 0;
    let pixel = 0;
    while (x < w) {
      if (pos >= end) throw new RdpInputError("truncated", `planar: RLE plane ends at row ${y}, pixel ${x} of ${w}`);
      const control = src[pos++]!;
      let run = control & 0x0f;
      let raw = control >> 4;
      if (run === 1) {
        run = raw + 16;
        raw = 0;
      } else if (run === 2) {
        run = raw + 32;
        raw = 0;
      }
      if (x + raw + run > w) {
        throw new RdpInputError("rle-overrun", `planar: RLE segment of ${raw + run} pixels at ${x} overruns a row of ${w}`);
      }
      if (pos + raw > end) throw new RdpInputError("truncated", `planar: ${raw} raw bytes at ${pos} of ${end}`);
      if (y === 0) {
        for (let i = 0; i < raw; i++) {
          pixel = src[pos++]!;
          dst[row + x++] = pixel;
        }
        for (let i = 0; i < run; i++) dst[row + x++] = pixel;
      } else {
        for (let i = 0; i < raw; i++) {
          const d = src[pos++]!;
          pixel = d & 1 ? -((d >> 1) + 1) : d >> 1;
          dst[row + x] = (dst[prev + x]! + pixel) & 0xff;
          x++;
        }
        for (let i = 0; i < run; i++) {
          dst[row + x] = (dst[prev + x]! + pixel) & 0xff;
          x++;
        }
      }
    }
  }
  return pos;
}

/** Copies a raw plane of `size` bytes at `pos` into `dst`; returns the position after it. */
function copyRawPlane(src: Uint8Array, pos: number, size: number, dst: Uint8Array, dstOff: number): number {
  if (pos + size > src.length) {
    throw new RdpInputError("truncated", `planar: raw plane of ${size} bytes at ${pos}, only ${src.length - pos} left`);
  }
  dst.set(src.subarray(pos, pos + size), dstOff);
  return pos + size;
}

const clip = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Decodes a planar bitmap of `width`×`height` into `out` (width*height RGBA, top-down rows). */
export function decodePlanar(src: Uint8Array, width: number, height: number, out: Int32Array): void {
  if (src.length < 1) throw new RdpInputError("truncated", "planar: no format header");
  const header = src[0]!;
  const cll = header & CLL_MASK;
  const cs = (header & CHROMA_SUBSAMPLING) !== 0;
  const rle = (header & RLE) !== 0;
  const alpha = (header & NO_ALPHA) === 0;
  if (cs && cll === 0) {
    throw new RdpInputError("planar-bad-header", "planar: chroma subsampling needs YCoCg (a colour-loss level)");
  }
  const size = width * height;
  const subW = cs ? (width + 1) >> 1 : width;
  const subH = cs ? (height + 1) >> 1 : height;
  const buf = planes(size);
  // buf holds, one after the other: alpha, luma/red, chroma-orange/green, chroma-green/blue (each `size`).
  const A = 0;
  const P0 = size;
  const P1 = size * 2;
  const P2 = size * 3;

  let pos = 1;
  if (rle) {
    if (alpha) pos = decodeRlePlane(src, pos, width, height, buf, A);
    pos = decodeRlePlane(src, pos, width, height, buf, P0);
    pos = decodeRlePlane(src, pos, subW, subH, buf, P1);
    decodeRlePlane(src, pos, subW, subH, buf, P2);
  } else {
    if (alpha) pos = copyRawPlane(src, pos, size, buf, A);
    pos = copyRawPlane(src, pos, size, buf, P0);
    pos = copyRawPlane(src, pos, subW * subH, buf, P1);
    copyRawPlane(src, pos, subW * subH, buf, P2); // a trailing pad byte may follow
  }

  if (cll === 0) {
    for (let y = 0; y < height; y++) {
      const s = (height - 1 - y) * width;
      const d = y * width;
      for (let x = 0; x < width; x++) {
        out[d + x] = buf[P0 + s + x]! | (buf[P1 + s + x]! << 8) | (buf[P2 + s + x]! << 16) | 0xff000000;
      }
    }
    return;
  }

  // YCoCg: chroma was shifted right by the colour-loss level and halved; undo both, then sign-extend.
  const shift = cll - 1;
  for (let y = 0; y < height; y++) {
    const s = (height - 1 - y) * width;
    const cRow = cs ? (height - 1 - y) >> 1 : height - 1 - y;
    const d = y * width;
    for (let x = 0; x < width; x++) {
      const c = cRow * subW + (cs ? x >> 1 : x);
      const Y = buf[P0 + s + x]!;
      const Co = ((buf[P1 + c]! << shift) << 24) >> 24;
      const Cg = ((buf[P2 + c]! << shift) << 24) >> 24;
      const t = Y - Cg;
      out[d + x] = clip(t - Co) | (clip(Y + Cg) << 8) | (clip(t + Co) << 16) | 0xff000000;
    }
  }
}
