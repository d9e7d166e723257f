// Raw RDP pixel values (8 bpp palette index, 15/16 bpp RGB555/565, 24 bpp BGR, 32 bpp BGRX) to RGBA.
// Bitmap data is bottom-up: row 0 of the source is the bottom row of the picture.
import { RdpInputError } from "../errors";

/** Bytes per pixel of a bitmap colour depth, or throws for a depth RDP does not define. */
export function bytesPerPixel(bpp: number): number {
  switch (bpp) {
    case 8:
      return 1;
    case 15:
    case 16:
      return 2;
    case 24:
      return 3;
    case 32:
      return 4;
    default:
      throw new RdpInputError("bad-bpp", `bitmap colour depth ${bpp} is not 8, 15, 16, 24 or 32`);
  }
}

/** 5- and 6-bit channels to 8 bits the way FreeRDP's client does, so 15/16 bpp pictures match it exactly. */
const expand5 = (v: number) => (v << 3) | (v >> 2);
const expand6 = (v: number) => Math.min(255, (v << 2) + (v >> 3));

/** RGBA packed as a little-endian 32-bit int (bytes R, G, B, A) for one raw pixel value. Pictures are Int32Array:
 * with alpha 255 every pixel is negative as an int32, and keeping it an int32 (not `>>> 0`) keeps it out of doubles. */
export function pixelToRgba32(value: number, bpp: number, palette: Uint8Array | null): number {
  let r: number;
  let g: number;
  let b: number;
  switch (bpp) {
    case 8: {
      const i = (value & 0xff) * 3;
      if (!palette || palette.length < i + 3) {
        r = g = b = value & 0xff; // no palette yet: grey rather than nothing
      } else {
        r = palette[i]!;
        g = palette[i + 1]!;
        b = palette[i + 2]!;
      }
      break;
    }
    case 15:
      r = expand5((value >> 10) & 0x1f);
      g = expand5((value >> 5) & 0x1f);
      b = expand5(value & 0x1f);
      break;
    case 16:
      r = expand5((value >> 11) & 0x1f);
      g = expand6((value >> 5) & 0x3f);
      b = expand5(value & 0x1f);
      break;
    default: // 24 and 32: the value is read little-endian from B, G, R(, X) bytes
      r = (value >> 16) & 0xff;
      g = (value >> 8) & 0xff;
      b = value & 0xff;
  }
  return r | (g << 8) | (b << 16) | 0xff000000;
}

/** A 256-entry RGBA lookup for 8 bpp (the palette) so a row is one table read per pixel. */
export function paletteTable(palette: Uint8Array | null): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) t[i] = pixelToRgba32(i, 8, palette);
  return t;
}

// 15 and 16 bpp through a 65536-entry table each (256 KiB, made on first use): one read per pixel.
const highColourTables = new Map<number, Int32Array>();

function highColourTable(bpp: 15 | 16): Int32Array {
  let t = highColourTables.get(bpp);
  if (!t) {
    t = new Int32Array(65536);
    for (let v = 0; v < 65536; v++) t[v] = pixelToRgba32(v, bpp, null);
    highColourTables.set(bpp, t);
  }
  return t;
}

/** The lookup table for a depth that has one (8 bpp: the palette; 15/16 bpp), or null for 24/32 bpp. */
function tableFor(bpp: number, palette: Uint8Array | null): Int32Array | null {
  if (bpp === 8) return paletteTable(palette);
  if (bpp === 15 || bpp === 16) return highColourTable(bpp);
  return null;
}

/**
 * Converts a decoded picture of raw pixel values (`values`, one per pixel, bottom-up rows of `width`) into
 * top-down RGBA (`out`, width*height u32).
 */
export function valuesToRgba(
  values: Uint32Array,
  width: number,
  height: number,
  bpp: number,
  palette: Uint8Array | null,
  out: Int32Array,
): void {
  const table = tableFor(bpp, palette);
  const mask = bpp === 8 ? 0xff : 0xffff;
  for (let y = 0; y < height; y++) {
    const src = (height - 1 - y) * width;
    const dst = y * width;
    if (table) {
      for (let x = 0; x < width; x++) out[dst + x] = table[values[src + x]! & mask]!;
    } else {
      for (let x = 0; x < width; x++) out[dst + x] = pixelToRgba32(values[src + x]!, bpp, null);
    }
  }
}

/** Reads one raw pixel value of `bpp` little-endian at `pos`. The caller has checked the bounds. */
export function readPixel(data: Uint8Array, pos: number, bpp: number): number {
  switch (bpp) {
    case 8:
      return data[pos]!;
    case 15:
    case 16:
      return data[pos]! | (data[pos + 1]! << 8);
    case 24:
      return data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16);
    default:
      return data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16); // the X byte is ignored
  }
}

/** An uncompressed bitmap (bottom-up rows of `width` pixels, each row padded to 4 bytes) to top-down RGBA. */
export function decodeUncompressed(
  data: Uint8Array,
  width: number,
  height: number,
  bpp: number,
  palette: Uint8Array | null,
  out: Int32Array,
): void {
  const bytes = bytesPerPixel(bpp);
  const rowBytes = (width * bytes + 3) & ~3;
  if (data.length < rowBytes * height) {
    throw new RdpInputError(
      "truncated",
      `uncompressed ${width}x${height} bitmap at ${bpp} bpp needs ${rowBytes * height} bytes, has ${data.length}`,
    );
  }
  const table = tableFor(bpp, palette);
  for (let y = 0; y < height; y++) {
    let pos = (height - 1 - y) * rowBytes;
    const dst = y * width;
    for (let x = 0; x < width; x++, pos += bytes) {
      const v = readPixel(data, pos, bpp);
      out[dst + x] = table ? table[v]! : pixelToRgba32(v, bpp, null);
    }
  }
}
