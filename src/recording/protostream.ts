// Teleport's "protostream v1" recording format (lib/events/stream.go):
//   part   := version u64 BE (=1) | gzip_len u64 BE | padding_len u64 BE | gzip[gzip_len] | zeros[padding_len]
//   record := message_len u32 BE | OneOf[message_len]        (what each part's gzip decompresses to)
// A file is parts concatenated. The reader follows Teleport's rules and adds one of its own: a file
// whose last part is cut short (a crash mid-write) reads up to its last complete part.
import zlib from "node:zlib";
import { decodeOneOf, EventDecodeError } from "./eventCodec.ts";
import { type AuditEvent, MAX_RECORD_BYTES } from "./eventTypes.ts";
import { errorMessage } from "../errorMessage.ts";
import { chunksOf } from "../bytes.ts";

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

/**
 * Most a part may decompress to. Teleport flushes a part at ~5 MiB of gzip, so text that compresses
 * very well can legitimately make hundreds of MiB; the readers stream a part's records (memory stays
 * at one chunk and one record whatever the part's size), so this only bounds the work a bomb costs.
 */
export const MAX_PART_PLAIN_BYTES = 1024 * 1024 * 1024;
/** The sync parser (parseProtostream: tests, small files) inflates a part whole, so its cap is lower. */
export const MAX_SYNC_PART_PLAIN_BYTES = 256 * 1024 * 1024;
const INFLATE_CHUNK_BYTES = 64 * 1024;

/** A part's records as its decompressed bytes arrive, in chunks; keeps at most one partial record. */
class RecordSplitter {
  private carry: Uint8Array = new Uint8Array(0);
  /** Offset within the part's decompressed records of `carry`'s first byte. */
  private at = 0;
  private plainBytes = 0;

  constructor(
    private readonly partOffset: number,
    private readonly maxPlainBytes: number,
  ) {}

  push(chunk: Uint8Array): AuditEvent[] {
    this.plainBytes += chunk.length;
    if (this.plainBytes > this.maxPlainBytes) {
      throw new ProtostreamError(this.partOffset, `part decompresses to more than ${this.maxPlainBytes} bytes (a compression bomb or a corrupt part)`);
    }
    let buf = chunk;
    if (this.carry.length > 0) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry);
      buf.set(chunk, this.carry.length);
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const events: AuditEvent[] = [];
    let pos = 0;
    while (buf.length - pos >= RECORD_LENGTH_BYTES) {
      const length = view.getUint32(pos);
      const recordAt = this.at + pos;
      if (length === 0) throw new ProtostreamError(this.partOffset, "unexpected message size 0", recordAt);
      if (length > MAX_RECORD_BYTES) {
        throw new ProtostreamError(this.partOffset, `record of ${length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`, recordAt);
      }
      const start = pos + RECORD_LENGTH_BYTES;
      if (start + length > buf.length) break; // the rest of this record comes with the next chunk
      try {
        events.push(decodeOneOf(buf.subarray(start, start + length)));
      } catch (err) {
        if (err instanceof EventDecodeError) throw new ProtostreamError(this.partOffset, err.message, recordAt, { cause: err });
        throw err;
      }
      pos = start + length;
    }
    // Copied, so the chunk (possibly a big inflate buffer) is not kept alive by a small remainder.
    this.carry = pos === buf.length ? new Uint8Array(0) : buf.slice(pos);
    this.at += pos;
    return events;
  }

  /** The part's data is over: anything left is a record cut short. */
  end(): void {
    if (this.carry.length === 0) return;
    if (this.carry.length < RECORD_LENGTH_BYTES) {
      throw new ProtostreamError(this.partOffset, `${this.carry.length} stray bytes where a record length was expected`, this.at);
    }
    const length = new DataView(this.carry.buffer, this.carry.byteOffset).getUint32(0);
    throw new ProtostreamError(this.partOffset, `record of ${length} bytes runs past the end of its part`, this.at);
  }
}

function notGzip(partOffset: number, err: unknown): ProtostreamError {
  if (err instanceof ProtostreamError) return err;
  return new ProtostreamError(partOffset + PART_HEADER_BYTES, `part data is not valid gzip (${errorMessage(err)})`, null, { cause: err });
}

/** Most a part is inflated in one piece; bigger parts are streamed (see readParts). */
const WHOLE_INFLATE_BYTES = 16 * 1024 * 1024;

/** The part inflated in one piece, or null when it inflates to more than `limit` bytes. */
function inflateWhole(part: RawPart, limit: number): Uint8Array | null {
  try {
    // node:zlib, not Bun.gunzipSync: it reads concatenated gzip members, as Go's gzip reader does.
    return zlib.gunzipSync(part.gzip, { maxOutputLength: limit });
  } catch (err) {
    if (errorCodeOf(err) === "ERR_BUFFER_TOO_LARGE") return null;
    throw notGzip(part.offset, err);
  }
}

function decodeRecords(part: RawPart, plain: Uint8Array): AuditEvent[] {
  const splitter = new RecordSplitter(part.offset, plain.length);
  const events = splitter.push(plain);
  splitter.end();
  return events;
}

/** Decompress one part whole (capped) and decode its records: the sync parser's way. */
function decodePart(part: RawPart): AuditEvent[] {
  const plain = inflateWhole(part, MAX_SYNC_PART_PLAIN_BYTES);
  if (plain === null) {
    throw new ProtostreamError(part.offset, `part decompresses to more than ${MAX_SYNC_PART_PLAIN_BYTES} bytes (a compression bomb or a corrupt part)`);
  }
  return decodeRecords(part, plain);
}

/**
 * The readers' way: a part that inflates to at most 16 MiB (every part deskreel writes) in one piece,
 * a bigger one as a stream whose records are yielded as they come, so memory holds one inflate chunk
 * and one record however far the part inflates; the consumer's pace is the inflater's pace.
 */
async function* readPart(part: RawPart): AsyncGenerator<AuditEvent> {
  const plain = inflateWhole(part, WHOLE_INFLATE_BYTES);
  if (plain !== null) {
    yield* decodeRecords(part, plain);
    return;
  }
  const splitter = new RecordSplitter(part.offset, MAX_PART_PLAIN_BYTES);
  const gunzip = zlib.createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
  gunzip.end(part.gzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Uint8Array>) yield* splitter.push(chunk);
  } catch (err) {
    throw notGzip(part.offset, err);
  } finally {
    gunzip.destroy();
  }
  splitter.end();
}

function errorCodeOf(err: unknown): unknown {
  return typeof err === "object" && err !== null && "code" in err ? (err as { code: unknown }).code : undefined;
}

/** A complete part's compressed data and where it starts in the file. */
interface RawPart {
  offset: number;
  gzip: Uint8Array;
}

/**
 * Incremental parser: feed bytes with push(), get the events of each part once the part (padding
 * included) is complete, call end() when the input is over. `parts()` gives the complete parts still
 * compressed, for a reader that inflates them as a stream.
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
  private gzip: Uint8Array | null = null;

  constructor(private readonly options: ReadOptions = {}) {}

  /** Events of the parts the chunk completes (each part inflated whole, within MAX_SYNC_PART_PLAIN_BYTES). */
  *push(chunk: Uint8Array): Generator<AuditEvent, void, undefined> {
    for (const part of this.parts(chunk)) {
      for (const event of decodePart(part)) if (this.accept(event)) yield event;
    }
  }

  /** The parts the chunk completes, still compressed; pass their events through accept(). */
  *parts(chunk: Uint8Array): Generator<RawPart, void, undefined> {
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
        this.gzip = this.queue.take(this.gzipLength);
        this.state = "padding";
      } else {
        this.paddingLeft -= this.queue.skip(this.paddingLeft);
        if (this.paddingLeft > 0) return;
        const part: RawPart = { offset: this.partStart, gzip: this.gzip ?? new Uint8Array(0) };
        this.gzip = null;
        this.stats.parts++;
        this.partStart += PART_HEADER_BYTES + this.gzipLength + this.paddingLength;
        this.stats.bytes = this.partStart;
        this.state = "header";
        yield part;
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
  accept(event: AuditEvent): boolean {
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
    const chunks = this.source instanceof Uint8Array ? [this.source] : chunksOf(this.source);
    for await (const chunk of chunks) {
      for (const part of this.parser.parts(chunk)) {
        for await (const event of readPart(part)) if (this.parser.accept(event)) yield event;
      }
    }
    this.parser.end();
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
