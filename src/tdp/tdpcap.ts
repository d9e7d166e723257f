// .tdpcap: a header-less sequence of `u32 BE delay_ms | u32 BE length | TDP message` records
// (see shared corpus README). delay_ms is absolute since session start and never decreases.

export interface TdpcapRecord {
  delayMs: number;
  data: Uint8Array;
}

export class TdpcapFormatError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`tdpcap at offset ${offset}: ${reason}`);
    this.name = "TdpcapFormatError";
  }
}

const RECORD_HEADER = 8;

/** Splits a whole .tdpcap file into records. `data` are views into `bytes`, not copies. */
export function readTdpcap(bytes: Uint8Array): TdpcapRecord[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: TdpcapRecord[] = [];
  let lastDelay = 0;
  for (let pos = 0; pos < bytes.length; ) {
    if (bytes.length - pos < RECORD_HEADER) throw new TdpcapFormatError(pos, "truncated record header");
    const delayMs = view.getUint32(pos);
    const length = view.getUint32(pos + 4);
    if (delayMs < lastDelay) throw new TdpcapFormatError(pos, `delay_ms decreases (${delayMs} < ${lastDelay})`);
    if (length === 0) throw new TdpcapFormatError(pos + 4, "empty message");
    const start = pos + RECORD_HEADER;
    if (bytes.length - start < length) {
      throw new TdpcapFormatError(pos + 4, `message of ${length} bytes truncated to ${bytes.length - start}`);
    }
    records.push({ delayMs, data: bytes.subarray(start, start + length) });
    lastDelay = delayMs;
    pos = start + length;
  }
  return records;
}

/** Concatenates records into a .tdpcap file, refusing anything readTdpcap would reject. */
export function writeTdpcap(records: Iterable<TdpcapRecord>): Uint8Array {
  const list = [...records];
  let size = 0;
  let lastDelay = 0;
  for (const [i, { delayMs, data }] of list.entries()) {
    if (!Number.isInteger(delayMs) || delayMs < lastDelay || delayMs > 0xffff_ffff) {
      throw new TdpcapFormatError(size, `record ${i}: delay_ms ${delayMs} is not a u32 >= ${lastDelay}`);
    }
    if (data.length === 0 || data.length > 0xffff_ffff) throw new TdpcapFormatError(size, `record ${i}: bad message length ${data.length}`);
    lastDelay = delayMs;
    size += RECORD_HEADER + data.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const { delayMs, data } of list) {
    view.setUint32(pos, delayMs);
    view.setUint32(pos + 4, data.length);
    out.set(data, pos + RECORD_HEADER);
    pos += RECORD_HEADER + data.length;
  }
  return out;
}
