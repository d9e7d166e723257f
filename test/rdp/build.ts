// Building fast-path PDUs and finding their parts, for tests that need exact or damaged input, and the small
// helpers the hand-built bitmap tests share.
import { RdpInputError } from "../../src/rdp/errors";
import { FragmentAssembler, splitFastPathPdu } from "../../src/rdp/fastPath";
import type { CapturePdu } from "./capture";

export interface UpdateSpec {
  code: number;
  fragmentation?: number;
  /** Adds a compressionFlags byte; `true` marks the data as bulk-compressed. */
  compressed?: boolean;
  data: Uint8Array;
}

/** One Server Fast-Path Update PDU holding `updates` (2-byte length form when needed). */
export function fastPathPdu(updates: UpdateSpec[]): Uint8Array {
  const body: number[] = [];
  for (const u of updates) {
    body.push((u.code & 0xf) | ((u.fragmentation ?? 0) << 4) | (u.compressed !== undefined ? 0x80 : 0));
    if (u.compressed !== undefined) body.push(u.compressed ? 0x21 : 0x01);
    body.push(u.data.length & 0xff, u.data.length >> 8);
    for (const b of u.data) body.push(b);
  }
  const total = body.length + 3;
  if (total > 0x7fff) throw new Error("PDU too big for the test builder");
  return new Uint8Array([0x00, 0x80 | (total >> 8), total & 0xff, ...body]);
}

/** An update split into FIRST/NEXT…/LAST fragments of at most `chunk` bytes, one PDU each. */
export function fragmentedPdus(code: number, data: Uint8Array, chunk = 16000): Uint8Array[] {
  if (data.length <= chunk) return [fastPathPdu([{ code, data }])];
  const pdus: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += chunk) {
    const fragmentation = at === 0 ? 2 : at + chunk >= data.length ? 1 : 3;
    pdus.push(fastPathPdu([{ code, fragmentation, data: data.subarray(at, at + chunk) }]));
  }
  return pdus;
}

/** The whole (reassembled) updates of a capture, in order. */
export function wholeUpdates(pdus: CapturePdu[]): { code: number; data: Uint8Array }[] {
  const assembler = new FragmentAssembler();
  const out: { code: number; data: Uint8Array }[] = [];
  for (const { pdu } of pdus) {
    for (const u of splitFastPathPdu(pdu).updates) {
      const whole = assembler.push(u);
      if (whole) out.push({ code: u.code, data: whole.slice() });
    }
  }
  return out;
}

/** Offsets (in a surface-commands update) of the RemoteFX blocks and tiles of its first bitmap. */
export function rfxLayout(update: Uint8Array): { bitmapAt: number; blocks: Map<number, number>; tiles: number[] } {
  const view = new DataView(update.buffer, update.byteOffset, update.byteLength);
  let pos = 0;
  while (view.getUint16(pos, true) === 0x0004) pos += 8; // frame markers
  const flags = update[pos + 11]!;
  const length = view.getUint32(pos + 18, true);
  const bitmapAt = pos + 22 + (flags & 1 ? 24 : 0);
  const blocks = new Map<number, number>();
  const tiles: number[] = [];
  for (let b = bitmapAt; b < bitmapAt + length; ) {
    const type = view.getUint16(b, true);
    blocks.set(type, b);
    if (type === 0xccc7) {
      const numQuant = update[b + 14]!;
      const numTiles = view.getUint16(b + 16, true);
      let t = b + 22 + numQuant * 5;
      for (let i = 0; i < numTiles; i++) {
        tiles.push(t);
        t += view.getUint32(t + 2, true);
      }
    }
    b += view.getUint32(b + 2, true);
  }
  return { bitmapAt, blocks, tiles };
}

/** A little-endian 16-bit field as bytes (RDP's byte order). */
export const le16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];

/** The kind of RdpInputError `fn` throws, or "no error"; anything else is rethrown. */
export function kindOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof RdpInputError) return e.kind;
    throw e;
  }
  return "no error";
}
