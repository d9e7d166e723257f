// Parts that inflate far past their size: the readers must stay within a stated memory bound and fail
// (or finish) cleanly, whatever the compression ratio.
import { describe, expect, test } from "bun:test";
import { MAX_SYNC_PART_PLAIN_BYTES, parseProtostream, ProtostreamError, readProtostream } from "../../src/recording/protostream.ts";
import { printBombPart, zeroBombPart } from "../support/bombs.ts";

const MiB = 1024 * 1024;

/** Runs `work` while sampling RSS every 10 ms; returns the peak growth over the starting RSS. */
async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
  Bun.gc(true);
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return peak - base;
}

describe("compression bombs in protostream parts", () => {
  const zeroBomb = zeroBombPart(1024 * MiB); // ~1 MB that inflates to 1 GiB

  test("a 1 MB part that inflates to 1 GiB of zeros is refused at its first record, without inflating it", async () => {
    expect(zeroBomb.length).toBeLessThan(1.2 * MiB);
    let error: unknown = null;
    const started = performance.now();
    const growth = await peakRssGrowth(async () => {
      try {
        for await (const _ of readProtostream(zeroBomb)) throw new Error("no event expected");
      } catch (err) {
        error = err;
      }
    });
    expect(error).toBeInstanceOf(ProtostreamError);
    expect((error as ProtostreamError).message).toMatch(/message size 0/);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(growth).toBeLessThan(64 * MiB);
  });

  test("the sync parser inflates a part whole only up to its cap, then refuses it", () => {
    expect(() => parseProtostream(zeroBomb)).toThrow(new RegExp(`more than ${MAX_SYNC_PART_PLAIN_BYTES} bytes`));
  });

  test("a well-formed part inflating to ~600 MiB of records is streamed: every record decoded, memory flat", async () => {
    const bomb = printBombPart(600 * MiB);
    expect(bomb.length).toBeLessThan(4 * MiB);
    const reader = readProtostream(bomb);
    let yielded = 0;
    const growth = await peakRssGrowth(async () => {
      for await (const event of reader) {
        expect(event.type).toBe("print");
        yielded++;
      }
    });
    // 256 distinct records, repeated: the reader decoded every repeat (counted) and yielded each once.
    expect(yielded).toBe(256);
    expect(reader.stats.totalEvents).toBeGreaterThan(18_000);
    expect(reader.stats.skippedEvents).toBe(reader.stats.totalEvents - 256);
    expect(growth).toBeLessThan(128 * MiB);
  }, 60_000);
});
