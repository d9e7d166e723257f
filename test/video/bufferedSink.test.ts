// BufferedSink: what reaches the sink is exactly what was written, in order; small pieces are batched in
// one reused buffer, large ones pass through uncopied.
import { describe, expect, test } from "bun:test";
import { BufferedSink, type ByteSink } from "../../src/video/mp4/io.ts";

/** A sink that keeps a copy of each write (as the ByteSink contract allows) and the array it was given. */
function recordingSink() {
  const writes: Array<{ given: Uint8Array; copy: Uint8Array }> = [];
  const sink: ByteSink = {
    write: async (data) => {
      writes.push({ given: data, copy: data.slice() });
      await Bun.sleep(0);
    },
    close: async () => undefined,
    abort: async () => undefined,
  };
  return { sink, writes, bytes: () => Buffer.concat(writes.map((w) => w.copy)) };
}

function piece(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}

describe("BufferedSink", () => {
  test("writes every byte in order, batching small pieces and passing large ones through", async () => {
    const { sink, writes, bytes } = recordingSink();
    const out = new BufferedSink(sink, 1000, 300);
    const sizes = [10, 200, 999, 50, 300, 7, 700, 400, 1, 2000, 90, 90, 90];
    const pieces = sizes.map((n, i) => piece(n, i));
    for (const p of pieces) await out.write(p);
    await out.flush();
    expect(Buffer.compare(bytes(), Buffer.concat(pieces))).toBe(0);
    // The large pieces reached the sink as they were given.
    for (const big of pieces.filter((p) => p.length >= 300)) expect(writes.some((w) => w.given === big)).toBe(true);
    // Small ones went in batches of at most 1000 bytes, all from one buffer.
    const batches = writes.filter((w) => !pieces.includes(w.given));
    expect(batches.every((w) => w.given.length <= 1000)).toBe(true);
    expect(batches.length).toBeGreaterThan(1);
    expect(new Set(batches.map((w) => w.given.buffer)).size).toBe(1);
  });

  test("flush with nothing pending writes nothing", async () => {
    const { sink, writes } = recordingSink();
    const out = new BufferedSink(sink);
    await out.flush();
    await out.write(piece(100_000, 1));
    await out.flush();
    expect(writes.length).toBe(1);
  });
});
