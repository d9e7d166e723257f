// Writing PNGs from scanlines the caller has already filtered: the demo's tile encoder and the tests'
// hand-made PNGs (bombs, short pixel data) share this instead of each assembling chunks and CRCs.
import { deflateSync } from "node:zlib";
import { crc32 } from "./crc32.ts";
import { PNG_SIGNATURE, type PngHeader } from "./header.ts";

const ascii = new TextEncoder();

/** Writes one chunk (length, 4-letter type, data, CRC-32 of type and data) into `out` at `at`; returns where it ends. */
function writeChunk(out: Uint8Array, at: number, type: string, data: Uint8Array): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(at, data.length);
  out.set(ascii.encode(type), at + 4);
  out.set(data, at + 8);
  view.setUint32(at + 8 + data.length, crc32(out.subarray(at + 4, at + 8 + data.length)));
  return at + 12 + data.length;
}

/** One chunk on its own. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  writeChunk(out, 0, type, data);
  return out;
}

/** The 13 IHDR data bytes (deflate, adaptive filtering: the only methods PNG defines). */
export function ihdrData(header: Pick<PngHeader, "width" | "height" | "bitDepth" | "colorType"> & { interlace?: number }): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, header.width);
  view.setUint32(4, header.height);
  data.set([header.bitDepth, header.colorType, 0, 0, header.interlace ?? 0], 8);
  return data;
}

/**
 * A complete PNG (signature, IHDR, IDAT, IEND) whose IDAT is `scanlines` deflated at `level`. Each scanline
 * starts with its filter-type byte; their count and length are the caller's business (a test may lie).
 */
export function pngFromScanlines(header: Pick<PngHeader, "width" | "height" | "bitDepth" | "colorType">, scanlines: Uint8Array, level = 6): Uint8Array {
  const idat = deflateSync(scanlines, { level });
  const png = new Uint8Array(PNG_SIGNATURE.length + 25 + 12 + idat.length + 12);
  png.set(PNG_SIGNATURE);
  let at = writeChunk(png, PNG_SIGNATURE.length, "IHDR", ihdrData(header));
  at = writeChunk(png, at, "IDAT", idat);
  writeChunk(png, at, "IEND", new Uint8Array(0));
  return png;
}

/** An RGB PNG of an opaque RGBA picture (alpha dropped), every row under the Sub filter. */
export function pngFromRgba(size: { width: number; height: number }, rgba: Uint8Array, level = 6): Uint8Array {
  const rowBytes = 1 + size.width * 3;
  const scanlines = new Uint8Array(rowBytes * size.height);
  for (let y = 0; y < size.height; y++) {
    const row = y * rowBytes;
    scanlines[row] = 1;
    for (let x = 0; x < size.width; x++) {
      const p = (y * size.width + x) * 4;
      const at = row + 1 + x * 3;
      for (let c = 0; c < 3; c++) scanlines[at + c] = (rgba[p + c] - (x > 0 ? rgba[p - 4 + c] : 0)) & 0xff;
    }
  }
  return pngFromScanlines({ ...size, bitDepth: 8, colorType: 2 }, scanlines, level);
}
