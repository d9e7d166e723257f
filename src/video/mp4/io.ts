// Where MP4 bytes come from and go to, so the same writer serves files, memory and (through
// video/storeIo.ts) storage objects.

import { open, unlink } from "node:fs/promises";
import { concatBytes } from "../../bytes.ts";

/** Reads bytes [start, end) of a source; may return fewer bytes only at the end of the source. */
export type RangeReader = (start: number, end: number) => Promise<Uint8Array>;

/** A sequential byte destination. */
export interface ByteSink {
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

/** Batches small writes into large ones: each AppendHandle append may cost an fsync. */
export class BufferedSink {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly sink: ByteSink,
    private readonly flushAtBytes = 4 * 1024 * 1024,
  ) {}

  async write(data: Uint8Array): Promise<void> {
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= this.flushAtBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const out = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const part of this.pending) {
      out.set(part, at);
      at += part.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    await this.sink.write(out);
  }
}
