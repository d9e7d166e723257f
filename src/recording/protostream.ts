// Teleport's "protostream v1" recording format (lib/events/stream.go):
//   part   := version u64 BE (=1) | gzip_len u64 BE | padding_len u64 BE | gzip[gzip_len] | zeros[padding_len]
//   record := message_len u32 BE | OneOf[message_len]        (what each part's gzip decompresses to)
// A file is parts concatenated. The reader follows Teleport's rules and adds one of its own: a file
// whose last part is cut short (a crash mid-write) reads up to its last complete part.
import zlib from "node:zlib";
import { decodeOneOf, EventDecodeError } from "./eventCodec.ts";
import { type AuditEvent, MAX_RECORD_BYTES } from "./eventTypes.ts";

export const PROTOSTREAM_V1 = 1;
export const PART_HEADER_BYTES = 24;
const RECORD_LENGTH_BYTES = 4;
// No part we or Teleport write comes near this (S3 parts are ~5 MiB); larger means a corrupt header.
const MAX_PART_BYTES = 1024 * 1024 * 1024;

/** A malformed recording: `offset` is the byte in the file where the bad part starts or the bad field is. */
export class ProtostreamError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
    /** For problems inside a part's decompressed records: the offset within those records. */
    readonly recordOffset: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(
      recordOffset === null
        ? `malformed recording at byte ${offset}: ${reason}`
        : `malformed recording in the part at byte ${offset} (record at uncompressed offset ${recordOffset}): ${reason}`,
      options,
    );
    this.name = "ProtostreamError";
  }
}

/** Frame one record: u32 length then the OneOf bytes. */
function frameRecords(records: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const r of records) total += RECORD_LENGTH_BYTES + r.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const r of records) {
    view.setUint32(at, r.length);
    out.set(r, at + RECORD_LENGTH_BYTES);
    at += RECORD_LENGTH_BYTES + r.length;
  }
  return out;
}

const PROBE_BYTES = 4096;

/**
 * How hard to deflate a part. Parts are written on the ingest path every event-loop turn, so speed
 * matters: PNG tiles are compressed already (deflating the sample capture at level 1 saves 2 % at
 * ~190 MB/s, while level 0 — stored blocks, still valid gzip — runs at ~3 GB/s). Mouse moves and other
 * small records do compress, so a part is deflated at level 1 unless a probe of its start shows it
 * will not shrink.
 */
function gzipLevel(raw: Uint8Array<ArrayBuffer>): 0 | 1 {
  if (raw.length < 4 * PROBE_BYTES) return 1;
  const probe = Bun.gzipSync(raw.subarray(0, PROBE_BYTES), { level: 1 });
  return probe.length > PROBE_BYTES * 0.9 ? 0 : 1;
}

/** One part: header, gzip of the records (see gzipLevel) and padding. */
export function encodePart(records: readonly Uint8Array[], padding = 0): Uint8Array {
  for (const r of records) {
    if (r.length === 0) throw new RangeError("a record cannot be empty (message_len 0 is invalid)");
    if (r.length > MAX_RECORD_BYTES) throw new RangeError(`a record of ${r.length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`);
  }
  const raw = frameRecords(records);
  const gz = Bun.gzipSync(raw, { level: gzipLevel(raw) });
  const out = new Uint8Array(PART_HEADER_BYTES + gz.length + padding);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(PROTOSTREAM_V1));
  view.setBigUint64(8, BigInt(gz.length));
  view.setBigUint64(16, BigInt(padding));
  out.set(gz, PART_HEADER_BYTES);
  return out;
}

export interface ReadOptions {
  /** Accept a file whose last part is incomplete (default true); otherwise that is a ProtostreamError. */
  allowTruncated?: boolean;
}

export interface ProtostreamStats {
  /** Complete parts read. */
  parts: number;
  /** Bytes consumed, up to the end of the last complete part. */
  bytes: number;
  /** Records decoded, including skipped duplicates. */
  totalEvents: number;
  /** Events dropped because their index was not above the last one seen (a re-uploaded part). */
  skippedEvents: number;
  /** Events whose index was not the previous one + 1 (a gap: events lost while recording). */
  outOfOrderEvents: number;
  /** Highest index returned, -1 before any. */
  lastIndex: number;
  /** Where an incomplete last part starts, or null when the file ends on a part boundary. */
  truncatedAt: number | null;
}

/** Bytes arriving in chunks, consumed from the front without copying when a chunk is big enough. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // consumed bytes of chunks[0]
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      if (chunk === undefined) throw new RangeError("ByteQueue underflow");
      const count = Math.min(n - filled, chunk.length - this.head);
      out.set(chunk.subarray(this.head, this.head + count), filled);
      filled += count;
      this.advance(count);
    }
    return out;
  }

  /** Drop up to n bytes; returns how many were dropped. */
  skip(n: number): number {
    let left = Math.min(n, this.length);
    const dropped = left;
    while (left > 0) {
      const chunk = this.chunks[0];
      if (chunk === undefined) break;
      const count = Math.min(left, chunk.length - this.head);
      this.advance(count);
      left -= count;
    }
    return dropped;
  }

  private advance(n: number): void {
    this.head += n;
    this.length -= n;
    const first = this.chunks[0];
    if (first !== undefined && this.head === first.length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}

/** Decompress one part and decode its records. */
function decodePart(gzip: Uint8Array, partOffset: number): AuditEvent[] {
  let plain: Uint8Array;
  try {
    // node:zlib, not Bun.gunzipSync: it reads concatenated gzip members, as Go's gzip reader does.
    plain = zlib.gunzipSync(gzip);
  } catch (err) {
    throw new ProtostreamError(partOffset + PART_HEADER_BYTES, `part data is not valid gzip (${err instanceof Error ? err.message : String(err)})`, null, { cause: err });
  }
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const events: AuditEvent[] = [];
  let at = 0;
  while (at < plain.length) {
    if (plain.length - at < RECORD_LENGTH_BYTES) {
      throw new ProtostreamError(partOffset, `${plain.length - at} stray bytes where a record length was expected`, at);
    }
    const length = view.getUint32(at);
    if (length === 0) throw new ProtostreamError(partOffset, "unexpected message size 0", at);
    if (length > MAX_RECORD_BYTES) {
      throw new ProtostreamError(partOffset, `record of ${length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`, at);
    }
    const start = at + RECORD_LENGTH_BYTES;
    if (start + length > plain.length) {
      throw new ProtostreamError(partOffset, `record of ${length} bytes runs past the end of its part`, at);
    }
    try {
      events.push(decodeOneOf(plain.subarray(start, start + length)));
    } catch (err) {
      if (err instanceof EventDecodeError) throw new ProtostreamError(partOffset, err.message, at, { cause: err });
      throw err;
    }
    at = start + length;
  }
  return events;
}

/**
 * Incremental parser: feed bytes with push(), get the events of each part once the part (padding
 * included) is complete, call end() when the input is over.
 */
export class ProtostreamParser {
  readonly stats: ProtostreamStats = {
    parts: 0, bytes: 0, totalEvents: 0, skippedEvents: 0, outOfOrderEvents: 0, lastIndex: -1, truncatedAt: null,
  };
  private readonly queue = new ByteQueue();
  private state: "header" | "gzip" | "padding" = "header";
  private partStart = 0;
  private gzipLength = 0;
  private paddingLength = 0;
  private paddingLeft = 0;
  private pending: AuditEvent[] = [];

  constructor(private readonly options: ReadOptions = {}) {}

  *push(chunk: Uint8Array): Generator<AuditEvent, void, undefined> {
    this.queue.push(chunk);
    for (;;) {
      if (this.state === "header") {
        if (this.queue.length < PART_HEADER_BYTES) return;
        const header = this.queue.take(PART_HEADER_BYTES);
        const view = new DataView(header.buffer, header.byteOffset, PART_HEADER_BYTES);
        const version = view.getBigUint64(0);
        if (version !== BigInt(PROTOSTREAM_V1)) {
          throw new ProtostreamError(this.partStart, `unsupported protocol version ${version} (expected ${PROTOSTREAM_V1})`);
        }
        const gzipLength = view.getBigUint64(8);
        const padding = view.getBigUint64(16);
        if (gzipLength === 0n || gzipLength > BigInt(MAX_PART_BYTES)) {
          throw new ProtostreamError(this.partStart + 8, `implausible part size ${gzipLength}`);
        }
        if (padding > BigInt(MAX_PART_BYTES)) throw new ProtostreamError(this.partStart + 16, `implausible padding size ${padding}`);
        this.gzipLength = Number(gzipLength);
        this.paddingLength = Number(padding);
        this.paddingLeft = this.paddingLength;
        this.state = "gzip";
      } else if (this.state === "gzip") {
        if (this.queue.length < this.gzipLength) return;
        this.pending = decodePart(this.queue.take(this.gzipLength), this.partStart);
        this.state = "padding";
      } else {
        this.paddingLeft -= this.queue.skip(this.paddingLeft);
        if (this.paddingLeft > 0) return;
        const events = this.pending;
        this.pending = [];
        this.stats.parts++;
        this.partStart += PART_HEADER_BYTES + this.gzipLength + this.paddingLength;
        this.stats.bytes = this.partStart;
        this.state = "header";
        for (const event of events) if (this.accept(event)) yield event;
      }
    }
  }

  /** The input is over: note (or reject) an incomplete last part. */
  end(): void {
    if (this.state === "header" && this.queue.length === 0) return;
    if (this.options.allowTruncated === false) {
      throw new ProtostreamError(this.partStart, "file ends inside a part (truncated)");
    }
    this.stats.truncatedAt = this.partStart;
  }

  /** Teleport's dedup rule: an index not above the last one seen was already read (a resumed upload). */
  private accept(event: AuditEvent): boolean {
    this.stats.totalEvents++;
    if (event.index <= this.stats.lastIndex) {
      this.stats.skippedEvents++;
      return false;
    }
    if (this.stats.lastIndex >= 0 && event.index !== this.stats.lastIndex + 1) this.stats.outOfOrderEvents++;
    this.stats.lastIndex = event.index;
    return true;
  }
}

export type ProtostreamSource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/**
 * Events of a recording, read as the bytes arrive. Iterate it with `for await`; afterwards `stats`
 * says how many parts were read, what was skipped, and where (if anywhere) the file was cut short.
 * Malformed input makes the iteration throw a ProtostreamError.
 */
export class ProtostreamReader implements AsyncIterable<AuditEvent> {
  private readonly parser: ProtostreamParser;

  constructor(
    private readonly source: ProtostreamSource,
    options: ReadOptions = {},
  ) {
    this.parser = new ProtostreamParser(options);
  }

  get stats(): Readonly<ProtostreamStats> {
    return this.parser.stats;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AuditEvent> {
    if (this.source instanceof Uint8Array) {
      yield* this.parser.push(this.source);
    } else {
      for await (const chunk of chunksOf(this.source)) yield* this.parser.push(chunk);
    }
    this.parser.end();
  }
}

async function* chunksOf(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (!(source instanceof ReadableStream)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function readProtostream(source: ProtostreamSource, options?: ReadOptions): ProtostreamReader {
  return new ProtostreamReader(source, options);
}

/** The whole file at once (tests, small recordings). */
export function parseProtostream(bytes: Uint8Array, options?: ReadOptions): { events: AuditEvent[]; stats: ProtostreamStats } {
  const parser = new ProtostreamParser(options);
  const events = [...parser.push(bytes)];
  parser.end();
  return { events, stats: parser.stats };
}
