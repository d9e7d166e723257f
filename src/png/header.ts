// A PNG's signature and IHDR, read and checked without inflating anything: the size check that stops PNG
// bombs (tdp/png.ts) and the first step of the full structure check (check.ts) use the same rules.
import { crc32 } from "./crc32.ts";

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
/** Signature (8) + IHDR length (4) + "IHDR" (4) + 13 data bytes + CRC (4). */
export const PNG_HEADER_BYTES = 33;
/** Where the IHDR data (width first) starts in the file. */
export const IHDR_DATA_OFFSET = 16;
const MAX_DIMENSION = 0x7fff_ffff;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** 0 none, 1 Adam7. */
  interlace: number;
}

/** Samples per pixel of each colour type (grey, RGB, palette, grey+alpha, RGBA). */
export const PNG_CHANNELS: ReadonlyMap<number, number> = new Map([
  [0, 1],
  [2, 3],
  [3, 1],
  [4, 2],
  [6, 4],
]);

/** Bit depths the PNG spec allows for each colour type. */
const BIT_DEPTHS: ReadonlyMap<number, readonly number[]> = new Map([
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]],
]);

/** A PNG that breaks the format; `offset` is where in the file the problem is. */
export class PngFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "PngFormatError";
  }
}

/** The 13 IHDR data bytes, checked against the spec; `at` is where they start in the file (for error offsets). */
export function parseIhdr(data: Uint8Array, at = IHDR_DATA_OFFSET): PngHeader {
  if (data.length !== 13) throw new PngFormatError(`IHDR is ${data.length} bytes, not 13`, at - 8);
  const view = new DataView(data.buffer, data.byteOffset, 13);
  const header: PngHeader = { width: view.getUint32(0), height: view.getUint32(4), bitDepth: data[8], colorType: data[9], interlace: data[12] };
  const { width, height, bitDepth, colorType } = header;
  if (width === 0 || height === 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) throw new PngFormatError(`PNG size ${width}x${height} is invalid`, at);
  if (!BIT_DEPTHS.get(colorType)?.includes(bitDepth)) throw new PngFormatError(`PNG bit depth ${bitDepth} with colour type ${colorType} is invalid`, at + 8);
  if (data[10] !== 0 || data[11] !== 0 || header.interlace > 1) throw new PngFormatError("PNG compression, filter or interlace method is invalid", at + 10);
  return header;
}

/** Signature and first chunk (a 13-byte IHDR with a correct CRC) of `png`, nothing after them. */
export function readPngHeader(png: Uint8Array): PngHeader {
  if (png.length < PNG_HEADER_BYTES) throw new PngFormatError(`PNG is ${png.length} bytes, too short for a signature and IHDR (${PNG_HEADER_BYTES})`, 0);
  const wrong = PNG_SIGNATURE.findIndex((b, i) => png[i] !== b);
  if (wrong !== -1) throw new PngFormatError("PNG signature missing", wrong);
  const view = new DataView(png.buffer, png.byteOffset, PNG_HEADER_BYTES);
  if (view.getUint32(8) !== 13 || view.getUint32(12) !== 0x49484452) throw new PngFormatError("first PNG chunk is not a 13-byte IHDR", 8);
  if (view.getUint32(29) !== crc32(png.subarray(12, 29))) throw new PngFormatError("IHDR CRC mismatch", 29);
  return parseIhdr(png.subarray(IHDR_DATA_OFFSET, 29));
}
