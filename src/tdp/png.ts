// PNG-bomb defence: read only the signature and IHDR of a tile's PNG and make sure the image is
// exactly the size of its rectangle before anything inflates it. Decoding pixels happens elsewhere.
import { crc32 } from "../png/crc32.ts";
import { checkTileRect, tilePngOffset, type Failer } from "./checks.ts";
import { TdpDecodeError } from "./errors.ts";
import type { PNG2Frame, PNGFrame } from "./messages.ts";

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature (8) + IHDR length (4) + "IHDR" (4) + 13 data bytes + CRC (4). */
const HEADER_LENGTH = 33;
const IHDR_DATA = 16;
const MAX_DIMENSION = 0x7fff_ffff;
/** Bit depths the PNG spec allows for each colour type. */
const BIT_DEPTHS: ReadonlyMap<number, readonly number[]> = new Map([
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]],
]);

/** Width, height, bit depth and colour type from the signature and IHDR only. Throws TdpDecodeError (messageType null). */
export function pngInfo(png: Uint8Array): PngInfo {
  return readHeader(png, failAt(null, 0));
}

/**
 * Throws TdpDecodeError unless the tile's rectangle is non-empty and at most 8192 on a side, and its
 * PNG has a valid signature and IHDR whose size equals the rectangle (type 27 edges are inclusive).
 */
export function validateTile(m: PNGFrame | PNG2Frame): void {
  const rect = checkTileRect(failAt(m.type, 0), m);
  const pngOffset = tilePngOffset(m.type);
  const info = readHeader(m.png, failAt(m.type, pngOffset));
  if (info.width !== rect.width || info.height !== rect.height) {
    throw new TdpDecodeError(
      m.type,
      pngOffset + IHDR_DATA,
      `PNG is ${info.width}x${info.height} but the tile rectangle is ${rect.width}x${rect.height}`,
    );
  }
}

/** A Failer whose offsets are relative to `base` (where the PNG starts inside its message). */
function failAt(messageType: number | null, base: number): Failer {
  return {
    fail(reason: string, offset = 0): never {
      throw new TdpDecodeError(messageType, base + offset, reason);
    },
  };
}

function readHeader(png: Uint8Array, io: Failer): PngInfo {
  if (png.length < HEADER_LENGTH) io.fail(`PNG is ${png.length} bytes, too short for a signature and IHDR (33)`);
  for (let i = 0; i < SIGNATURE.length; i++) {
    if (png[i] !== SIGNATURE[i]) io.fail("PNG signature missing", i);
  }
  const view = new DataView(png.buffer, png.byteOffset, HEADER_LENGTH);
  if (view.getUint32(8) !== 13 || view.getUint32(12) !== 0x49484452) io.fail("first PNG chunk is not a 13-byte IHDR", 8);
  const crc = crc32(png.subarray(12, 29));
  if (view.getUint32(29) !== crc) io.fail("IHDR CRC mismatch", 29);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
    io.fail(`PNG size ${width}x${height} is invalid`, IHDR_DATA);
  }
  const bitDepth = png[24];
  const colorType = png[25];
  if (!BIT_DEPTHS.get(colorType)?.includes(bitDepth)) io.fail(`PNG bit depth ${bitDepth} with colour type ${colorType} is invalid`, 24);
  if (png[26] !== 0 || png[27] !== 0 || png[28] > 1) io.fail("PNG compression, filter or interlace method is invalid", 26);
  return { width, height, bitDepth, colorType };
}
