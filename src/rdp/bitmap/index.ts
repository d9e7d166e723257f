// Fast-path bitmap updates (updateCode 1, TS_UPDATE_BITMAP_DATA, MS-RDPBCGR 2.2.9.1.1.3.1.2): rectangles each
// uncompressed, interleaved RLE (8/15/16/24 bpp) or planar (32 bpp), bottom-up, drawn onto the screen.
// The whole update is checked and decoded before anything is drawn, so a bad rectangle leaves the screen as it
// was (the update is skipped whole, as the decoder reports it).
import { RdpInputError } from "../errors";
import type { RdpRect } from "../types";
import { decodeInterleaved } from "./interleaved";
import { decodePlanar } from "./planar";
import { bytesPerPixel, decodeUncompressed, valuesToRgba } from "./pixels";

export interface RdpScreen {
  width: number;
  height: number;
  /** width*height*4 bytes RGBA, top-down rows. */
  rgba: Uint8Array;
}

const UPDATETYPE_BITMAP = 0x0001;
const BITMAP_COMPRESSION = 0x0001;
const NO_BITMAP_COMPRESSION_HDR = 0x0400;
const RECT_HEADER = 18;
const CD_HEADER = 8;
/** A bitmap side longer than this is not a screen update (RDP screens are at most 8192 wide). */
const MAX_SIDE = 8192;

interface BitmapRect {
  destLeft: number;
  destTop: number;
  /** Visible size: the dest rectangle (inclusive right/bottom), clipped to the bitmap and the screen. */
  drawWidth: number;
  drawHeight: number;
  width: number;
  height: number;
  bpp: number;
  compressed: boolean;
  data: Uint8Array;
  /** Where its decoded RGBA starts in the pool (u32 index). */
  offset: number;
}

/** Most pixels one update may decode, whatever the screen (4096×4096; 64 MiB of RGBA while it is drawn). */
const MAX_UPDATE_PIXELS = 4096 * 4096;
/** Scratch up to this many pixels is kept between updates; bigger (rare, or hostile) updates get their own. */
const KEPT_SCRATCH_PIXELS = 512 * 512;

// Decoded pictures of one update, then raw RLE values: reused across calls (updates are applied one at a time).
let pool = new Int32Array(0);
let rleValues = new Uint32Array(0);

function scratch<T extends Int32Array | Uint32Array>(kept: T, n: number, make: (n: number) => T): T {
  return n <= kept.length ? kept : make(n);
}

function u16(data: Uint8Array, pos: number): number {
  return data[pos]! | (data[pos + 1]! << 8);
}

function parseRects(data: Uint8Array, screen: RdpScreen): BitmapRect[] {
  if (data.length < 4) throw new RdpInputError("truncated", `bitmap update of ${data.length} bytes has no header`);
  const updateType = u16(data, 0);
  if (updateType !== UPDATETYPE_BITMAP) {
    throw new RdpInputError("bad-bitmap-update", `bitmap update has updateType ${updateType}, not 1`);
  }
  const count = u16(data, 2);
  const rects: BitmapRect[] = [];
  // What one update may decode: twice the screen (rectangles overlap and overhang a little), never unbounded.
  const budget = Math.min(screen.width * screen.height * 2 + 64 * 64, MAX_UPDATE_PIXELS);
  let pixels = 0;
  let pos = 4;
  for (let i = 0; i < count; i++) {
    if (pos + RECT_HEADER > data.length) {
      throw new RdpInputError("truncated", `bitmap rectangle ${i + 1} of ${count}: header past the end of the update`);
    }
    const destLeft = u16(data, pos);
    const destTop = u16(data, pos + 2);
    const destRight = u16(data, pos + 4);
    const destBottom = u16(data, pos + 6);
    const width = u16(data, pos + 8);
    const height = u16(data, pos + 10);
    const bpp = u16(data, pos + 12);
    const flags = u16(data, pos + 14);
    const length = u16(data, pos + 16);
    pos += RECT_HEADER;
    if (pos + length > data.length) {
      throw new RdpInputError(
        "bad-length",
        `bitmap rectangle ${i + 1}: says ${length} bytes, only ${data.length - pos} left in the update`,
      );
    }
    let body = data.subarray(pos, pos + length);
    pos += length;
    const compressed = (flags & BITMAP_COMPRESSION) !== 0;
    if (compressed && !(flags & NO_BITMAP_COMPRESSION_HDR)) {
      // TS_CD_HEADER: cbCompFirstRowSize, cbCompMainBodySize, cbScanWidth, cbUncompressedSize
      if (body.length < CD_HEADER) throw new RdpInputError("truncated", `bitmap rectangle ${i + 1}: no compression header`);
      const mainBody = u16(body, 2);
      if (mainBody > body.length - CD_HEADER) {
        throw new RdpInputError("bad-length", `bitmap rectangle ${i + 1}: compressed body of ${mainBody} bytes in ${body.length - CD_HEADER}`);
      }
      body = body.subarray(CD_HEADER, CD_HEADER + mainBody);
    }
    bytesPerPixel(bpp); // throws on an unknown depth
    if (compressed && bpp === 32 && body.length === 0) {
      throw new RdpInputError("truncated", `bitmap rectangle ${i + 1}: empty planar bitmap`);
    }
    if (width === 0 || height === 0) continue; // nothing to draw
    if (width > MAX_SIDE || height > MAX_SIDE) {
      throw new RdpInputError("bitmap-too-large", `bitmap rectangle ${i + 1} is ${width}x${height}`);
    }
    if (destRight < destLeft || destBottom < destTop) {
      throw new RdpInputError("bad-rect", `bitmap rectangle ${i + 1}: (${destLeft},${destTop})-(${destRight},${destBottom}) is inside out`);
    }
    if (destLeft >= screen.width || destTop >= screen.height) {
      throw new RdpInputError(
        "rect-outside-screen",
        `bitmap rectangle ${i + 1} at (${destLeft},${destTop}) is outside the ${screen.width}x${screen.height} screen`,
      );
    }
    pixels += width * height;
    if (pixels > budget) {
      throw new RdpInputError("bitmap-too-large", `bitmap update decodes to over ${budget} pixels`);
    }
    rects.push({
      destLeft,
      destTop,
      drawWidth: Math.min(destRight - destLeft + 1, width, screen.width - destLeft),
      drawHeight: Math.min(destBottom - destTop + 1, height, screen.height - destTop),
      width,
      height,
      bpp,
      compressed,
      data: body,
      offset: 0,
    });
  }
  return rects;
}

function decodeRect(r: BitmapRect, palette: Uint8Array | null, out: Int32Array): void {
  if (!r.compressed) {
    decodeUncompressed(r.data, r.width, r.height, r.bpp, palette, out);
  } else if (r.bpp === 32) {
    decodePlanar(r.data, r.width, r.height, out);
  } else {
    const n = r.width * r.height;
    if (rleValues.length < n && n <= KEPT_SCRATCH_PIXELS) rleValues = new Uint32Array(n);
    const values = scratch(rleValues, n, (k) => new Uint32Array(k));
    decodeInterleaved(r.data, r.width, r.height, r.bpp, values);
    valuesToRgba(values, r.width, r.height, r.bpp, palette, out);
  }
}

/** The screen as 32-bit pixels (RGBA bytes little-endian), sharing its memory. */
function screenPixels(screen: RdpScreen): Int32Array {
  const { rgba } = screen;
  if (rgba.byteOffset % 4 !== 0 || rgba.length < screen.width * screen.height * 4) {
    throw new RdpInputError("bad-screen", "screen buffer is not a whole, 4-byte aligned RGBA picture");
  }
  return new Int32Array(rgba.buffer, rgba.byteOffset, screen.width * screen.height);
}

/**
 * Draws one bitmap update (the update's data, after updateHeader and size) and returns the screen areas
 * it changed, clipped to the screen. `palette` is 256×RGB (768 bytes) from the last palette update, for 8 bpp.
 * Throws RdpInputError on bad input, before drawing anything.
 */
export function applyBitmapUpdate(data: Uint8Array, screen: RdpScreen, palette: Uint8Array | null): RdpRect[] {
  const rects = parseRects(data, screen);
  let total = 0;
  for (const r of rects) {
    r.offset = total;
    total += r.width * r.height;
  }
  if (pool.length < total && total <= KEPT_SCRATCH_PIXELS) pool = new Int32Array(Math.min(KEPT_SCRATCH_PIXELS, Math.max(total, pool.length * 2)));
  const decoded = scratch(pool, total, (k) => new Int32Array(k));
  for (const r of rects) decodeRect(r, palette, decoded.subarray(r.offset, r.offset + r.width * r.height));

  const dst = screenPixels(screen);
  const dirty: RdpRect[] = [];
  for (const r of rects) {
    for (let y = 0; y < r.drawHeight; y++) {
      const s = r.offset + y * r.width;
      dst.set(decoded.subarray(s, s + r.drawWidth), (r.destTop + y) * screen.width + r.destLeft);
    }
    dirty.push({ left: r.destLeft, top: r.destTop, right: r.destLeft + r.drawWidth, bottom: r.destTop + r.drawHeight });
  }
  return dirty;
}
