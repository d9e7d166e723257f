// 10 000 mutations of the real capture's PDUs (bit flips, truncations, length lies, splices, damaged RemoteFX
// frames re-framed so they reach the codec): apply never throws, never hits its internal-error net, memory
// stays bounded, and the decoder still decodes the real stream exactly afterwards.
import { expect, test } from "bun:test";
import { createRdpDecoder } from "../../src/rdp/decoder";
import { fastPathPdu, fragmentedPdus, wholeUpdates } from "./build";
import { readRdpCapture } from "./capture";
import { rng } from "../fuzz/mutate.ts";

const MUTATIONS = 10_000;
const RSS_GROWTH_LIMIT = 160 * 1024 * 1024;
/** What the decoder may keep: screen, one reassembly (16 MiB), the pointer cache (16 MiB), buffers. */
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;


test(`${MUTATIONS} mutated PDUs: no throw, no internal error, bounded memory, still decoding afterwards`, () => {
  const capture = readRdpCapture();
  const pdus = capture.pdus.map((p) => p.pdu);
  const updates = wholeUpdates(capture.pdus);
  const frames = updates.filter((u) => u.code === 4 && u.data.length < 40_000).map((u) => u.data);
  const pointers = updates.filter((u) => u.code >= 8).map((u) => u);
  const fullFrame = updates.find((u) => u.code === 4)!.data;
  const random = rng(8);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: T[]): T => list[int(list.length)]!;
  const flip = (bytes: Uint8Array, from = 0) => {
    const copy = bytes.slice();
    const flips = 1 + int(8);
    for (let i = 0; i < flips && copy.length > from; i++) copy[from + int(copy.length - from)]! ^= 1 << int(8);
    return copy;
  };

  // Garbage is collected before each memory sample: in a long test process RSS otherwise follows the
  // collector's schedule (and what earlier tests left), not what the decoder holds.
  Bun.gc(true);
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const decoder = createRdpDecoder(capture.width, capture.height);
  let rssPeak = rssBefore;
  let throws = 0;
  let problems = 0;
  const counts: Record<string, number> = {};
  for (let i = 0; i < MUTATIONS; i++) {
    const kind = int(10);
    let inputs: Uint8Array[];
    if (kind < 3) {
      inputs = [flip(pick(pdus))];
    } else if (kind < 5) {
      // A damaged RemoteFX frame in valid framing, so the codec itself sees the damage.
      inputs = fragmentedPdus(4, flip(pick(frames), 30));
    } else if (kind === 5) {
      const p = pick(pdus);
      inputs = [p.subarray(0, int(p.length))];
    } else if (kind === 6) {
      const p = pick(pdus).slice();
      const at = int(Math.min(p.length, 8));
      p[at] = int(256);
      if (p.length > at + 1) p[at + 1] = int(256);
      inputs = [p];
    } else if (kind === 7) {
      const a = pick(pdus);
      const b = pick(pdus);
      inputs = [new Uint8Array([...a.subarray(0, int(a.length)), ...b.subarray(int(b.length))])];
    } else if (kind === 8) {
      const u = pick(pointers);
      inputs = [fastPathPdu([{ code: random() < 0.8 ? u.code : int(16), data: flip(u.data) }])];
    } else {
      // A run of real PDUs, out of order.
      const at = int(pdus.length - 4);
      inputs = [pdus[at + 2]!, pdus[at]!, pdus[at + 3]!, pdus[at + 1]!];
    }
    for (const pdu of inputs) {
      try {
        problems += decoder.apply(pdu).problems.length;
      } catch {
        throws++;
      }
    }
    if (i % 500 === 499) {
      Bun.gc(true);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
  }
  Object.assign(counts, decoder.stats.problems);
  Bun.gc(true);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  console.log(`fuzz: ${MUTATIONS} mutations, ${problems} problems reported`, counts, `RSS ${(rssBefore / 2 ** 20).toFixed(0)} → peak ${(rssPeak / 2 ** 20).toFixed(0)} MiB, heap kept +${(heapGrowth / 2 ** 20).toFixed(1)} MiB`);

  expect(throws).toBe(0);
  expect(counts.internal).toBeUndefined();
  expect(problems).toBeGreaterThan(MUTATIONS / 2);
  // The damage reached the RemoteFX codec, not only the framing.
  expect(Object.keys(counts)).toEqual(expect.arrayContaining(["truncated", "rlgr-overrun", "fragment-sequence", "bad-length"]));
  expect(rssPeak - rssBefore).toBeLessThan(RSS_GROWTH_LIMIT);
  expect(heapGrowth).toBeLessThan(HEAP_GROWTH_LIMIT);

  // Still a working decoder: the real first frame decodes without a problem onto a fresh screen's result.
  const fresh = createRdpDecoder(capture.width, capture.height);
  fragmentedPdus(4, fullFrame).forEach((pdu, i) => {
    // The first fragment may end an update the fuzzing left unfinished; that is reported, nothing else.
    const kinds = decoder.apply(pdu).problems.map((p) => p.kind);
    expect(kinds).toEqual(i === 0 && kinds.length ? ["fragment-sequence"] : []);
    fresh.apply(pdu);
  });
  expect(decoder.rgba).toEqual(fresh.rgba);
}, 600_000);
