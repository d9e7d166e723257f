// Does a tile's PNG really decode? The canvas decodes asynchronously and silently accepts some broken
// files (a truncated IDAT still "loads"), so we check the structure ourselves before drawing: every
// chunk's CRC, IHDR sanity, and that the IDAT stream inflates to exactly the bytes the image needs
// with valid row filters. The inflate is capped, so a compression bomb cannot blow up memory.
import { inflateSync } from "node:zlib";
import { concatBytes } from "../bytes.ts";
import { errorMessage } from "../errorMessage.ts";
import { crc32 } from "./crc32.ts";
import { parseIhdr, PNG_CHANNELS, PNG_SIGNATURE, PngFormatError, type PngHeader } from "./header.ts";

/** Adam7 passes: [xStart, yStart, xStep, yStep]. */
const ADAM7: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/** Why `png` would not decode, or null when it is a complete, consistent PNG. */
export function pngDecodeProblem(png: Uint8Array): string | null {
  try {
    checkPng(png);
    return null;
  } catch (e) {
    if (e instanceof PngFormatError) return e.message;
    throw e;
  }
}

/** The full check reports what is wrong, not where (pngDecodeProblem returns only the text). */
function fail(reason: string): never {
  throw new PngFormatError(reason, 0);
}

function checkPng(png: Uint8Array): void {
  if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) fail("not a PNG (bad signature)");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let header: PngHeader | null = null;
  let sawPalette = false;
  let sawEnd = false;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length; ) {
    if (sawEnd) fail("bytes after IEND");
    if (png.length - at < 12) fail(`truncated chunk header at byte ${at}`);
    const length = view.getUint32(at);
    if (length > png.length - at - 12) fail(`chunk at byte ${at} is truncated (${length} bytes declared)`);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (view.getUint32(at + 8 + length) !== crc32(typeAndData)) fail(`${type} chunk CRC mismatch`);
    const data = png.subarray(at + 8, at + 8 + length);
    if (header === null && type !== "IHDR") fail("first chunk is not IHDR");
    if (type === "IHDR") {
      if (header !== null) fail("second IHDR");
      header = parseIhdr(data, at + 8);
    } else if (type === "PLTE") {
      sawPalette = true;
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (type === "IEND") {
      sawEnd = true;
    }
    at += 12 + length;
  }
  if (header === null) fail("no IHDR");
  if (!sawEnd) fail("no IEND (truncated PNG)");
  if (idat.length === 0) fail("no IDAT");
  if (header.colorType === 3 && !sawPalette) fail("palette image without PLTE");
  checkImageData(header, concatBytes(idat));
}

/** Rows of the (sub)images the decoder will unfilter: [width, height] per pass. */
function passSizes(h: PngHeader): Array<[number, number]> {
  if (h.interlace === 0) return [[h.width, h.height]];
  return ADAM7.map(([x0, y0, dx, dy]): [number, number] => [
    Math.ceil(Math.max(0, h.width - x0) / dx),
    Math.ceil(Math.max(0, h.height - y0) / dy),
  ]).filter(([w, hh]) => w > 0 && hh > 0);
}

function checkImageData(h: PngHeader, compressed: Uint8Array): void {
  const bitsPerPixel = (PNG_CHANNELS.get(h.colorType) ?? 1) * h.bitDepth;
  const passes = passSizes(h);
  const rowBytes = (w: number) => Math.ceil((w * bitsPerPixel) / 8);
  const expected = passes.reduce((sum, [w, hh]) => sum + hh * (1 + rowBytes(w)), 0);
  let raw: Uint8Array;
  try {
    raw = inflateSync(compressed, { maxOutputLength: expected + 1 });
  } catch (e) {
    fail(`IDAT does not inflate: ${errorMessage(e)}`);
  }
  if (raw.length !== expected) fail(`IDAT holds ${raw.length} bytes, the image needs ${expected}`);
  let at = 0;
  for (const [w, hh] of passes) {
    for (let row = 0; row < hh; row++) {
      if (raw[at] > 4) fail(`row filter type ${raw[at]} is invalid`);
      at += 1 + rowBytes(w);
    }
  }
}

