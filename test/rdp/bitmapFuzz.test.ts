// Mutations of the real bitmap updates in test/fixtures/rdp/ (planar, interleaved RLE at 16 and 15 bpp): whatever
// the bytes, a bitmap update either draws inside the screen or is refused with an RdpInputError, the decoder never
// throws or reports an internal error, and memory stays bounded.
import { describe, expect, test } from "bun:test";
import { applyBitmapUpdate } from "../../src/rdp/bitmap";
import { createRdpDecoder } from "../../src/rdp/decoder";
import { RdpInputError } from "../../src/rdp/errors";
import { DEFAULT_FRAGMENT_LIMITS, FragmentAssembler, splitFastPathPdu } from "../../src/rdp/fastPath";
import { readRdpFixture } from "./fixtures";
import { rng } from "../fuzz/mutate.ts";

const FIXTURES = ["planar", "interleaved16", "interleaved15"];

/** Every rectangle of every bitmap update in the fixtures, each as a one-rectangle update of its own. */
function rectangleUpdates(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const name of FIXTURES) {
    const fragments = new FragmentAssembler(DEFAULT_FRAGMENT_LIMITS);
    for (const { pdu } of readRdpFixture(name).pdus) {
      for (const u of splitFastPathPdu(pdu).updates) {
        const whole = fragments.push(u);
        if (!whole || u.code !== 1) continue;
        const view = new DataView(whole.buffer, whole.byteOffset, whole.byteLength);
        let pos = 4;
        for (let i = view.getUint16(2, true); i > 0; i--) {
          const end = pos + 18 + view.getUint16(pos + 16, true);
          const one = new Uint8Array(4 + end - pos);
          one.set([1, 0, 1, 0]);
          one.set(whole.subarray(pos, end), 4);
          out.push(one);
          pos = end;
        }
      }
    }
  }
  return out;
}

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 15, 16, 24, 32, 63, 64, 65, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff];

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  let b: Uint8Array = src.slice();
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * b.length);
    switch (Math.floor(rnd() * 6)) {
      case 0: // flip a bit
        b[at] = b[at]! ^ (1 << Math.floor(rnd() * 8));
        break;
      case 1: // a random byte
        b[at] = Math.floor(rnd() * 256);
        break;
      case 2: // a header field (dest rect, size, bpp, flags, length) set to an edge value
        {
          const field = 4 + 2 * Math.floor(rnd() * 9);
          const v = INTERESTING[Math.floor(rnd() * INTERESTING.length)]!;
          if (field + 1 < b.length) {
            b[field] = v & 0xff;
            b[field + 1] = v >> 8;
          }
        }
        break;
      case 3: // cut short
        b = b.subarray(0, at);
        break;
      case 4: // bytes inserted
        {
          const extra = new Uint8Array(1 + Math.floor(rnd() * 16)).map(() => Math.floor(rnd() * 256));
          const c = new Uint8Array(b.length + extra.length);
          c.set(b.subarray(0, at));
          c.set(extra, at);
          c.set(b.subarray(at), at + extra.length);
          b = c;
        }
        break;
      default: // an RLE order or planar control byte replaced by an edge value
        b[at] = INTERESTING[Math.floor(rnd() * INTERESTING.length)]! & 0xff;
    }
  }
  return b;
}

function rssMiB(): number {
  Bun.gc(true);
  return process.memoryUsage().rss / 2 ** 20;
}

describe("bitmap updates under mutation", () => {
  const corpus = rectangleUpdates();

  test("the corpus is the fixtures' real rectangles", () => {
    expect(corpus.length).toBeGreaterThan(4000);
  });

  test("10 000 mutated rectangles: drawn inside the screen or refused with a kind, nothing else", () => {
    const rnd = rng(8);
    const screen = { width: 1280, height: 720, rgba: new Uint8Array(1280 * 720 * 4) };
    const palette = new Uint8Array(768).map((_, i) => i & 0xff);
    const kinds: Record<string, number> = {};
    const unexpected: string[] = [];
    const before = rssMiB();
    let drawn = 0;
    for (let i = 0; i < 10_000; i++) {
      const input = mutate(corpus[Math.floor(rnd() * corpus.length)]!, rnd);
      try {
        for (const d of applyBitmapUpdate(input, screen, palette)) {
          if (d.left < 0 || d.top < 0 || d.right > 1280 || d.bottom > 720 || d.left >= d.right || d.top >= d.bottom) {
            unexpected.push(`mutation ${i}: dirty ${JSON.stringify(d)}`);
          }
        }
        drawn++;
      } catch (e) {
        if (e instanceof RdpInputError) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
        else unexpected.push(`mutation ${i}: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
    const grown = rssMiB() - before;
    console.log(`bitmap fuzz: ${drawn} drawn, refused by kind ${JSON.stringify(kinds)}, RSS +${grown.toFixed(1)} MiB`);
    expect(unexpected).toEqual([]);
    expect(drawn).toBeGreaterThan(1000); // many mutations stay decodable: the decoder is exercised, not only the checks
    expect(Object.keys(kinds).length).toBeGreaterThanOrEqual(4);
    expect(grown).toBeLessThan(64);
  }, 120_000);

  test("mutated PDUs of the captures through the whole decoder: never a throw, never an internal error", () => {
    const rnd = rng(29);
    const pdus = FIXTURES.flatMap((name) => readRdpFixture(name).pdus.map((p) => p.pdu));
    const decoder = createRdpDecoder(1280, 720);
    for (let i = 0; i < 3000; i++) {
      const pdu = rnd() < 0.5 ? mutate(pdus[Math.floor(rnd() * pdus.length)]!, rnd) : pdus[Math.floor(rnd() * pdus.length)]!;
      const r = decoder.apply(pdu);
      for (const p of r.problems) expect(p.kind).not.toBe("internal");
    }
    expect(decoder.stats.problems.internal).toBeUndefined();
  }, 120_000);
});
