// Hostile inputs for the limits' tests and the hardening bench: protostream parts that inflate far past
// their size, and PNG tiles whose picture is far bigger than their bytes.
import zlib from "node:zlib";
import { concatBytes } from "../../src/bytes.ts";
import { encodeOneOf } from "../../src/recording/eventCodec.ts";
import { EventType, blankMetadata, type SessionPrintEvent } from "../../src/recording/eventTypes.ts";
import { PART_HEADER_BYTES, PROTOSTREAM_V1 } from "../../src/recording/protostream.ts";
import { pngFromScanlines } from "../../src/png/write.ts";

/** A protostream part header + data for an already-gzipped body. */
export function partOf(gzip: Uint8Array): Uint8Array {
  const out = new Uint8Array(PART_HEADER_BYTES + gzip.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(PROTOSTREAM_V1));
  view.setBigUint64(8, BigInt(gzip.length));
  out.set(gzip, PART_HEADER_BYTES);
  return out;
}

/** A part whose data inflates to `plainBytes` zero bytes (1 GiB → about 1 MB; gzip members back to back). */
export function zeroBombPart(plainBytes: number): Uint8Array {
  const block = 64 * 1024 * 1024;
  const member = zlib.gzipSync(new Uint8Array(Math.min(block, plainBytes)), { level: 9 });
  const members: Uint8Array[] = [];
  for (let left = plainBytes; left > 0; left -= block) members.push(left >= block ? member : zlib.gzipSync(new Uint8Array(left)));
  return partOf(concatBytes(members));
}

function printRecord(index: number, data: Uint8Array): Uint8Array {
  const event: SessionPrintEvent = {
    ...blankMetadata(), type: EventType.SessionPrint, index, time: new Date(1_700_000_000_000 + index),
    chunkIndex: index, data, bytes: data.length, delayMs: index, offset: index * data.length,
  };
  const body = encodeOneOf(event);
  const framed = new Uint8Array(4 + body.length);
  new DataView(framed.buffer).setUint32(0, body.length);
  framed.set(body, 4);
  return framed;
}

/**
 * A part of valid SSH `print` records (32 KiB of one letter each) that inflates to about `plainBytes`:
 * well-formed, so only a reader that streams the part keeps its memory flat. One gzip member of 256
 * records (indexes from `firstIndex`) is repeated: the repeats are duplicates a reader skips, after
 * inflating and decoding them.
 */
export function printBombPart(plainBytes: number, firstIndex = 0): Uint8Array {
  const data = new Uint8Array(32 * 1024).fill(0x41);
  const records: Uint8Array[] = [];
  for (let k = 0; k < 256; k++) records.push(printRecord(firstIndex + k, data));
  const plain = concatBytes(records);
  const member = zlib.gzipSync(plain, { level: 6 });
  return partOf(concatBytes(Array.from({ length: Math.max(1, Math.round(plainBytes / plain.length)) }, () => member)));
}

/** A black 8-bit RGB PNG of width×height, deflated hard: a few hundred KB for tens of megapixels. */
export function blackPng(width: number, height: number): Uint8Array {
  return pngFromScanlines({ width, height, bitDepth: 8, colorType: 2 }, new Uint8Array((1 + width * 3) * height), 9);
}
