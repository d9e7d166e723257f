// Server Fast-Path Update PDU framing (MS-RDPBCGR 2.2.9.1.2): fpOutputHeader, 1- or 2-byte length, then
// updates (updateHeader, optional compressionFlags, u16 LE size, data), and the joining of fragmented updates.
import { RdpInputError } from "./errors";

export const FRAGMENT_SINGLE = 0;
export const FRAGMENT_LAST = 1;
export const FRAGMENT_FIRST = 2;
export const FRAGMENT_NEXT = 3;

const FASTPATH_OUTPUT_ENCRYPTED = 0x2; // in the top two bits of fpOutputHeader
const FASTPATH_OUTPUT_COMPRESSION_USED = 0x2; // in the top two bits of updateHeader
const PACKET_COMPRESSED = 0x20; // compressionFlags: the data really is bulk-compressed

export interface FastPathUpdate {
  code: number;
  fragmentation: number;
  /** Bulk-compressed (MPPC/NCRUSH/XCRUSH): not decodable here. */
  compressed: boolean;
  data: Uint8Array;
}

export interface SplitPdu {
  updates: FastPathUpdate[];
  /** What stopped the split early (the updates before it are whole). */
  error: RdpInputError | null;
}

/** Splits one fast-path output PDU into its updates (views into `pdu`, not copies). */
export function splitFastPathPdu(pdu: Uint8Array): SplitPdu {
  const updates: FastPathUpdate[] = [];
  if (pdu.length < 2) return { updates, error: new RdpInputError("truncated", `fast-path PDU of ${pdu.length} bytes`) };
  const header = pdu[0]!;
  if ((header & 0x3) !== 0) {
    return { updates, error: new RdpInputError("not-fast-path", `fpOutputHeader 0x${header.toString(16)} is not a fast-path output action`) };
  }
  if (header >> 6 & FASTPATH_OUTPUT_ENCRYPTED) {
    return { updates, error: new RdpInputError("encrypted", "fast-path PDU is encrypted (standard RDP security); a recording never is") };
  }
  let pos: number;
  let length: number;
  if (pdu[1]! & 0x80) {
    if (pdu.length < 3) return { updates, error: new RdpInputError("truncated", "fast-path PDU ends inside its length") };
    length = ((pdu[1]! & 0x7f) << 8) | pdu[2]!;
    pos = 3;
  } else {
    length = pdu[1]!;
    pos = 2;
  }
  if (header >> 6 & 0x1) pos += 8; // FASTPATH_OUTPUT_SECURE_CHECKSUM: an 8-byte dataSignature precedes the updates
  let end = pdu.length;
  let error: RdpInputError | null = null;
  if (length < pos) {
    return { updates, error: new RdpInputError("bad-length", `fast-path PDU length ${length} is shorter than its header`) };
  }
  if (length > pdu.length) {
    error = new RdpInputError("truncated", `fast-path PDU says ${length} bytes, has ${pdu.length}`);
  } else {
    end = length;
  }
  while (pos < end) {
    const updateHeader = pdu[pos]!;
    let p = pos + 1;
    let compressed = false;
    if ((updateHeader >> 6) & FASTPATH_OUTPUT_COMPRESSION_USED) {
      if (p >= end) return { updates, error: new RdpInputError("truncated", "fast-path update ends inside its header") };
      compressed = (pdu[p]! & PACKET_COMPRESSED) !== 0;
      p++;
    }
    if (p + 2 > end) return { updates, error: new RdpInputError("truncated", "fast-path update ends inside its header") };
    const size = pdu[p]! | (pdu[p + 1]! << 8);
    p += 2;
    if (p + size > end) {
      return { updates, error: error ?? new RdpInputError("bad-length", `fast-path update of ${size} bytes overruns its PDU (${end - p} left)`) };
    }
    updates.push({ code: updateHeader & 0xf, fragmentation: (updateHeader >> 4) & 0x3, compressed, data: pdu.subarray(p, p + size) });
    pos = p + size;
  }
  if (error === null && length < pdu.length) {
    error = new RdpInputError("bad-length", `fast-path PDU says ${length} bytes, ${pdu.length - length} more follow`);
  }
  return { updates, error };
}

export interface FragmentLimits {
  /** Largest reassembled update, bytes. */
  maxBytes: number;
  /** Most fragments in one update. */
  maxFragments: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = { maxBytes: 16 * 1024 * 1024, maxFragments: 4096 };

/**
 * Joins FIRST + NEXT… + LAST fragments of one update. A broken sequence drops what was gathered (reported once)
 * and ignores fragments until the next FIRST or whole update.
 */
export class FragmentAssembler {
  private parts: Uint8Array[] = [];
  private code = -1;
  private bytes = 0;
  /** Fragments of a dropped update are ignored until it ends. */
  private discarding = false;

  constructor(private readonly limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS) {}

  /** Gathering bytes now (for memory accounting). */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Returns the whole update's data when `u` completes it, null while gathering; throws on a broken sequence. */
  push(u: FastPathUpdate): Uint8Array | null {
    switch (u.fragmentation) {
      case FRAGMENT_SINGLE: {
        const broken = this.code >= 0;
        this.reset();
        if (broken) throw new RdpInputError("fragment-sequence", `update code ${u.code} arrived whole while a fragmented update was unfinished (dropped)`);
        return u.data;
      }
      case FRAGMENT_FIRST: {
        const broken = this.code >= 0;
        this.reset();
        this.code = u.code;
        this.add(u.data);
        if (broken) throw new RdpInputError("fragment-sequence", "a new fragmented update began before the previous one ended (previous dropped)");
        return null;
      }
      case FRAGMENT_NEXT:
      case FRAGMENT_LAST: {
        const last = u.fragmentation === FRAGMENT_LAST;
        if (this.discarding) {
          if (last) this.reset();
          return null;
        }
        if (this.code < 0) {
          this.discarding = !last;
          throw new RdpInputError("fragment-sequence", `a ${last ? "last" : "next"} fragment without a first one`);
        }
        if (this.code !== u.code) {
          this.reset();
          this.discarding = !last;
          throw new RdpInputError("fragment-sequence", `fragment of update code ${u.code} inside an update of code ${this.code}`);
        }
        this.add(u.data);
        if (!last) return null;
        const whole = join(this.parts, this.bytes);
        this.reset();
        return whole;
      }
    }
    throw new RdpInputError("fragment-sequence", `fragmentation value ${u.fragmentation}`);
  }

  /** Drops an unfinished update (e.g. after a compressed fragment), ignoring its remaining fragments. */
  abandon(lastSeen: boolean): void {
    this.reset();
    this.discarding = !lastSeen;
  }

  private add(data: Uint8Array): void {
    if (this.bytes + data.length > this.limits.maxBytes || this.parts.length + 1 > this.limits.maxFragments) {
      const what = this.bytes + data.length > this.limits.maxBytes ? `${this.bytes + data.length} bytes` : `${this.parts.length + 1} fragments`;
      this.reset();
      this.discarding = true;
      throw new RdpInputError("fragment-too-large", `reassembled update over the bound (${what}; at most ${this.limits.maxBytes} bytes in ${this.limits.maxFragments} fragments)`);
    }
    // Copy: the PDU buffer the fragment points into may be reused by the caller.
    this.parts.push(data.slice());
    this.bytes += data.length;
  }

  private reset(): void {
    this.parts = [];
    this.code = -1;
    this.bytes = 0;
    this.discarding = false;
  }
}

function join(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
