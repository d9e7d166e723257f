// Checks and decodes a tile's PNG ourselves rather than through the canvas. The canvas decodes lazily
// (the cost lands at the next readback, and the picture then has to be read back from it) and silently
// accepts some broken files (a truncated IDAT still "loads"). Here: every chunk's CRC, IHDR sanity, the
// IDAT stream inflating to exactly the bytes the image needs (capped, so a compression bomb cannot blow
// up memory), valid row filters; then the rows are unfiltered and turned into 8-bit RGBA. Every colour
// type, bit depth, Adam7 interlacing and tRNS transparency are decoded; ancillary chunks (gamma, colour
// profiles, text) are ignored, as the browser-side picture of a desktop needs none of them.
import { inflateSync } from "node:zlib";
import { concatBytes } from "../bytes.ts";
import { errorMessage } from "../errorMessage.ts";
import { crc32 } from "./crc32.ts";
import { parseIhdr, PNG_CHANNELS, PNG_SIGNATURE, PngFormatError, type PngHeader } from "./header.ts";

/** A decoded PNG: 8-bit RGBA rows of `width` pixels. */
export interface DecodedPng {
  width: number;
  height: number;
  rgba: Uint8Array;
  /** Every pixel has alpha 255 (the picture can be copied rather than blended). */
  opaque: boolean;
}

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
const WHOLE: readonly [number, number, number, number] = [0, 0, 1, 1];

/** Why `png` would not decode, or null when it is a complete, consistent PNG (no pixels are made). */
export function pngDecodeProblem(png: Uint8Array): string | null {
  try {
    const parts = readParts(png);
    const raw = inflatePixels(parts);
    for (const pass of passesOf(parts.header)) for (let row = 0, at = pass.at; row < pass.height; row++, at += 1 + pass.rowBytes) checkFilter(raw[at]);
    return null;
  } catch (e) {
    if (e instanceof PngFormatError) return e.message;
    throw e;
  }
}

/** Decodes `png` to RGBA; throws PngFormatError naming what is wrong with a file that does not decode. */
export function decodePng(png: Uint8Array): DecodedPng {
  const parts = readParts(png);
  const raw = inflatePixels(parts);
  const { header } = parts;
  const rgba = new Uint8Array(header.width * header.height * 4);
  const toRgba = converter(parts);
  let opaque = true;
  for (const pass of passesOf(header)) {
    const bpp = Math.max(1, pass.bitsPerPixel >> 3);
    let previous: Uint8Array | null = null;
    for (let row = 0; row < pass.height; row++) {
      const at = pass.at + row * (1 + pass.rowBytes);
      const line = raw.subarray(at + 1, at + 1 + pass.rowBytes);
      unfilter(raw[at], line, previous, bpp);
      const y = pass.y0 + row * pass.dy;
      if (!toRgba(line, pass.width, rgba, (y * header.width + pass.x0) * 4, pass.dx * 4)) opaque = false;
      previous = line;
    }
  }
  return { width: header.width, height: header.height, rgba, opaque };
}

interface PngParts {
  header: PngHeader;
  palette: Uint8Array | null;
  transparency: Uint8Array | null;
  idat: Uint8Array[];
}

/** The full check reports what is wrong, not where. */
function fail(reason: string): never {
  throw new PngFormatError(reason, 0);
}

function readParts(png: Uint8Array): PngParts {
  if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) fail("not a PNG (bad signature)");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let header: PngHeader | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
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
      if (length % 3 !== 0 || length === 0 || length > 768) fail(`PLTE of ${length} bytes is invalid`);
      palette = data;
    } else if (type === "tRNS") {
      transparency = data;
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
  if (header.colorType === 3 && palette === null) fail("palette image without PLTE");
  return { header, palette, transparency, idat };
}

interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
  bitsPerPixel: number;
  rowBytes: number;
  /** Where the pass's first row (its filter byte) starts in the inflated data. */
  at: number;
}

/** The (sub)images the rows belong to: the whole image, or Adam7's seven passes (empty ones left out). */
function passesOf(h: PngHeader): Pass[] {
  const bitsPerPixel = (PNG_CHANNELS.get(h.colorType) ?? 1) * h.bitDepth;
  const passes: Pass[] = [];
  let at = 0;
  for (const [x0, y0, dx, dy] of h.interlace === 0 ? [WHOLE] : ADAM7) {
    const width = Math.ceil(Math.max(0, h.width - x0) / dx);
    const height = Math.ceil(Math.max(0, h.height - y0) / dy);
    if (width === 0 || height === 0) continue;
    const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
    passes.push({ x0, y0, dx, dy, width, height, bitsPerPixel, rowBytes, at });
    at += height * (1 + rowBytes);
  }
  return passes;
}

function inflatePixels({ header, idat }: PngParts): Uint8Array {
  const expected = passesOf(header).reduce((sum, p) => sum + p.height * (1 + p.rowBytes), 0);
  let raw: Uint8Array;
  try {
    raw = inflateSync(concatBytes(idat), { maxOutputLength: expected + 1 });
  } catch (e) {
    fail(`IDAT does not inflate: ${errorMessage(e)}`);
  }
  if (raw.length !== expected) fail(`IDAT holds ${raw.length} bytes, the image needs ${expected}`);
  return raw;
}

function checkFilter(type: number): void {
  if (type > 4) fail(`row filter type ${type} is invalid`);
}

/** Undoes a row's filter in place; `previous` is the row above, already unfiltered (null for the first). */
function unfilter(type: number, line: Uint8Array, previous: Uint8Array | null, bpp: number): void {
  checkFilter(type);
  const n = line.length;
  switch (type) {
    case 1:
      for (let i = bpp; i < n; i++) line[i] = (line[i] + line[i - bpp]) & 0xff;
      break;
    case 2:
      if (previous) for (let i = 0; i < n; i++) line[i] = (line[i] + previous[i]) & 0xff;
      break;
    case 3:
      for (let i = 0; i < n; i++) {
        const left = i >= bpp ? line[i - bpp] : 0;
        const up = previous ? previous[i] : 0;
        line[i] = (line[i] + ((left + up) >> 1)) & 0xff;
      }
      break;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? line[i - bpp] : 0;
        const b = previous ? previous[i] : 0;
        const c = previous && i >= bpp ? previous[i - bpp] : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        line[i] = (line[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
      break;
  }
}

/**
 * Writes one unfiltered row of `width` pixels into `out` from `at`, `step` bytes apart (4, or more for an
 * Adam7 pass); true when every pixel it wrote is opaque.
 */
type RowConverter = (line: Uint8Array, width: number, out: Uint8Array, at: number, step: number) => boolean;

function converter({ header, palette, transparency }: PngParts): RowConverter {
  const { colorType, bitDepth } = header;
  const wide = bitDepth === 16;
  if (colorType === 6 || colorType === 2) {
    // RGBA, or RGB opaque but where tRNS names the one transparent colour.
    const hasAlpha = colorType === 6;
    const hi = wide ? 2 : 1;
    const bytes = (hasAlpha ? 4 : 3) * hi;
    const key = !hasAlpha && transparency !== null && transparency.length >= 6 ? transparency : null;
    const isKey = (line: Uint8Array, i: number) =>
      key !== null && sampleAt(line, i, wide) === sampleAt(key, 0, true) && sampleAt(line, i + hi, wide) === sampleAt(key, 2, true) && sampleAt(line, i + 2 * hi, wide) === sampleAt(key, 4, true);
    return (line, width, out, at, step) => {
      let opaque = true;
      for (let x = 0, i = 0; x < width; x++, i += bytes, at += step) {
        out[at] = line[i];
        out[at + 1] = line[i + hi];
        out[at + 2] = line[i + 2 * hi];
        const a = (out[at + 3] = hasAlpha ? line[i + 3 * hi] : isKey(line, i) ? 0 : 255);
        if (a !== 255) opaque = false;
      }
      return opaque;
    };
  }
  if (colorType === 4) {
    const bytes = wide ? 4 : 2;
    const hi = wide ? 2 : 1;
    return (line, width, out, at, step) => {
      let opaque = true;
      for (let x = 0, i = 0; x < width; x++, i += bytes, at += step) {
        out[at] = out[at + 1] = out[at + 2] = line[i];
        const a = (out[at + 3] = line[i + hi]);
        if (a !== 255) opaque = false;
      }
      return opaque;
    };
  }
  // Grey (0) and palette (3): samples of 1, 2, 4, 8 or (grey) 16 bits.
  const key = colorType === 0 && transparency !== null && transparency.length >= 2 ? sampleAt(transparency, 0, true) : -1;
  const scale = colorType === 0 && bitDepth < 8 ? 255 / ((1 << bitDepth) - 1) : 1;
  const entries = palette ? palette.length / 3 : 0;
  return (line, width, out, at, step) => {
    let opaque = true;
    for (let x = 0; x < width; x++, at += step) {
      const v = readSample(line, x, bitDepth);
      let a = 255;
      if (colorType === 3) {
        // An index past the palette takes its last entry, as Skia does.
        const entry = Math.min(v, entries - 1);
        out[at] = palette![entry * 3];
        out[at + 1] = palette![entry * 3 + 1];
        out[at + 2] = palette![entry * 3 + 2];
        if (transparency !== null && entry < transparency.length) a = transparency[entry];
      } else {
        out[at] = out[at + 1] = out[at + 2] = bitDepth === 16 ? v >> 8 : Math.round(v * scale);
        if (v === key) a = 0;
      }
      out[at + 3] = a;
      if (a !== 255) opaque = false;
    }
    return opaque;
  };
}

/** The `x`th sample of a row of `depth`-bit samples. */
function readSample(line: Uint8Array, x: number, depth: number): number {
  if (depth === 8) return line[x];
  if (depth === 16) return (line[2 * x] << 8) | line[2 * x + 1];
  const perByte = 8 / depth;
  const byte = line[Math.floor(x / perByte)];
  const shift = 8 - depth * ((x % perByte) + 1);
  return (byte >> shift) & ((1 << depth) - 1);
}

/** A sample at byte `i`: one byte, or two (big-endian) when `wide`. */
function sampleAt(bytes: Uint8Array, i: number, wide: boolean): number {
  return wide ? (bytes[i] << 8) | bytes[i + 1] : bytes[i];
}
