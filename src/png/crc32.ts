// The one CRC-32 (ISO-HDLC, as PNG chunks use it) for the PNG readers and writers in tdp/, video/ and the demo.
import { crc32 as zlibCrc32 } from "node:zlib";

/** CRC-32 of `bytes`, continuing from `seed` (the CRC of the bytes before them) when given. */
export function crc32(bytes: Uint8Array, seed = 0): number {
  return zlibCrc32(bytes, seed) >>> 0;
}
