// Byte helpers shared across the codec, recording and video code.
import { LoopShare } from "./eventLoop.ts";

/** The parts one after another in a new buffer (the part itself when there is only one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The chunks of a byte stream (or any async iterable of chunks), read in order; the reader is released at
 * the end. Between chunks the event loop gets its turns (see eventLoop.ts): a large file read from the page
 * cache would otherwise hold timers, sockets and requests back until its last byte.
 */
export async function* chunksOf(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const share = new LoopShare();
  if (!(source instanceof ReadableStream)) {
    for await (const chunk of source) {
      yield chunk;
      await share.turn();
    }
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
      await share.turn();
    }
  } finally {
    reader.releaseLock();
  }
}
