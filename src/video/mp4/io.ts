// Where MP4 bytes come from and go to, so the same writer serves files, memory and (through
// video/storeIo.ts) storage objects.

import { open, unlink } from "node:fs/promises";
import { concatBytes } from "../../bytes.ts";

/** Reads bytes [start, end) of a source; may return fewer bytes only at the end of the source. */
export type RangeReader = (start: number, end: number) => Promise<Uint8Array>;

/** A sequential byte destination. */
export interface ByteSink {
  /** Once this resolves the sink holds no reference to `data`: the caller may reuse the buffer. */
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Drop what was written (a failed write): nothing half-made stays behind. */
  abort(): Promise<void>;
}

export function bytesReader(bytes: Uint8Array): RangeReader {
  return async (start, end) => bytes.subarray(start, Math.min(end, bytes.length));
}

export function fileReader(path: string): { read: RangeReader; close(): Promise<void> } {
  const handle = open(path, "r");
  return {
    read: async (start, end) => {
      const file = await handle;
      const out = new Uint8Array(Math.max(0, end - start));
      let filled = 0;
      while (filled < out.length) {
        const { bytesRead } = await file.read(out, filled, out.length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return out.subarray(0, filled);
    },
    close: async () => (await handle).close(),
  };
}

export async function fileSink(path: string): Promise<ByteSink> {
  const file = await open(path, "w");
  return {
    write: async (data) => {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await file.write(data, written, data.length - written);
        written += bytesWritten;
      }
    },
    close: async () => {
      await file.sync();
      await file.close();
    },
    abort: async () => {
      await file.close();
      await unlink(path).catch(() => undefined);
    },
  };
}

/** Collects output in memory (tests, small files). */
export function memorySink(): ByteSink & { bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  return {
    write: async (data) => {
      parts.push(data.slice());
    },
    close: async () => undefined,
    abort: async () => {
      parts.length = 0;
    },
    bytes: () => concatBytes(parts),
  };
}

/**
 * Batches small writes into larger ones (each AppendHandle append is a system call or an upload part),
 * and passes large pieces straight through. Small pieces are copied into one buffer that is reused, not
 * allocated per batch: a fresh buffer of a few hundred KB or more is page-faulted in at ~4 ms per MB on
 * these machines, which held a session's end back by tens of ms (README, known limits: session end).
 */
export class BufferedSink {
  private buffer: Uint8Array | null = null;
  private filled = 0;

  constructor(
    private readonly sink: ByteSink,
    private readonly flushAtBytes = 256 * 1024,
    private readonly directBytes = 64 * 1024,
  ) {}

  /** Resolves once `data` may be reused by the caller. Calls must not overlap. */
  async write(data: Uint8Array): Promise<void> {
    if (data.length >= this.directBytes) {
      await this.flush();
      await this.sink.write(data);
      return;
    }
    if (this.filled + data.length > this.flushAtBytes) await this.flush();
    this.buffer ??= new Uint8Array(this.flushAtBytes);
    this.buffer.set(data, this.filled);
    this.filled += data.length;
  }

  async flush(): Promise<void> {
    if (this.filled === 0 || !this.buffer) return;
    const batch = this.buffer.subarray(0, this.filled);
    this.filled = 0;
    // The sink is done with the bytes once its write resolves (ByteSink), so the buffer is used again.
    await this.sink.write(batch);
  }
}
