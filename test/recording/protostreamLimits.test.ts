// Parts that inflate far past their size: the readers must stay within a stated memory bound and fail
// (or finish) cleanly, whatever the compression ratio.
import { describe, expect, test } from "bun:test";
import { MAX_SYNC_PART_PLAIN_BYTES, parseProtostream, ProtostreamError, readProtostream } from "../../src/recording/protostream.ts";
import { join } from "node:path";
import { zeroBombPart } from "../support/bombs.ts";
import { measureInChild } from "../support/childMemory.ts";

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
    // In a fresh process: the bound is on the reader, not on what earlier test files left in this one.
    const { growth, result } = await measureInChild<{ bombBytes: number; yielded: number; types: string[]; totalEvents: number; skippedEvents: number }>(
      join(import.meta.dir, "workloads/printBomb.ts"), "streamPrintBomb", [600],
    );
    expect(result.bombBytes).toBeLessThan(4 * MiB);
    expect(result.types).toEqual(["print"]);
    // 256 distinct records, repeated: the reader decoded every repeat (counted) and yielded each once.
    expect(result.yielded).toBe(256);
    expect(result.totalEvents).toBeGreaterThan(18_000);
    expect(result.skippedEvents).toBe(result.totalEvents - 256);
    console.log(`600 MiB print bomb streamed: peak RSS +${(growth / MiB).toFixed(0)} MiB in a fresh process`);
    expect(growth).toBeLessThan(128 * MiB);
  }, 60_000);
});
