// 10 000 mutations of real TDPB messages (the sample session's tiles and input, the RemoteFX capture's
// FastPathPDUs, every payload kind): decoding either succeeds or throws a TdpCodecError — never another
// exception, never a hang — and whatever decodes encodes again.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TdpCodecError } from "../../src/tdp/codec.ts";
import { decodeFrame } from "../../src/tdp/eras.ts";
import { encodeTdpb } from "../../src/tdp/tdpb/codec.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { CORPUS_DIR } from "../support/corpusPath.ts";
import { sampleRecords } from "../support/corpus.ts";
import { asTdpb } from "../support/tdpb.ts";
import { TDPB_SAMPLES } from "./tdpbSamples.ts";

test("10 000 mutated TDPB messages: decoded or refused with a TdpCodecError, nothing else", () => {
  const rfx = readTdpcap(new Uint8Array(readFileSync(join(CORPUS_DIR, "rdp-shadow-720", "rdp-shadow-720.tdpcap"))));
  const seeds = [
    ...asTdpb(sampleRecords().slice(0, 300)).map((r) => r.data),
    ...asTdpb(rfx.slice(0, 40)).map((r) => r.data),
    ...TDPB_SAMPLES.map(encodeTdpb),
  ];
  let state = 0x9e37_79b9;
  const rand = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const counts = { decoded: 0, refused: 0 };
  for (let i = 0; i < 10_000; i++) {
    const seed = seeds[rand(seeds.length)];
    let m = seed.slice();
    switch (rand(5)) {
      case 0: // bit flips, mostly in the Envelope's first bytes where the structure is
        for (let k = 1 + rand(4); k > 0; k--) {
          const at = rand(Math.min(m.length, rand(2) ? 48 : m.length));
          m[at] ^= 1 << rand(8);
        }
        break;
      case 1: // truncation, the length header fixed up so only the Envelope is short
        m = m.slice(0, 4 + rand(m.length - 3));
        new DataView(m.buffer).setUint32(0, m.length - 4);
        break;
      case 2: // a lying length
        new DataView(m.buffer).setUint32(0, rand(2) ? rand(1 << 24) : m.length - 4 + rand(9) - 4);
        break;
      case 3: { // a varint made huge (sizes and lengths inside the Envelope)
        const at = 4 + rand(Math.max(1, Math.min(m.length - 4, 32)));
        m.fill(0xff, at, Math.min(m.length, at + 1 + rand(6)));
        break;
      }
      default: { // splice two messages' bodies, header fixed up
        const other = seeds[rand(seeds.length)];
        const cut = 4 + rand(m.length - 4);
        const joined = new Uint8Array(cut + other.length - 4);
        joined.set(m.subarray(0, cut));
        joined.set(other.subarray(4), cut);
        new DataView(joined.buffer).setUint32(0, joined.length - 4);
        m = joined;
      }
    }
    let frame;
    try {
      frame = decodeFrame(m);
    } catch (err) {
      if (!(err instanceof TdpCodecError)) throw new Error(`mutation ${i} threw ${String(err)}`);
      counts.refused++;
      continue;
    }
    counts.decoded++;
    // what decodes is valid: it encodes again (a refusal here would throw and fail the test)
    if (frame.tdpb && frame.tdpb.kind !== "unknown") encodeTdpb(frame.tdpb);
  }
  console.log(`TDPB fuzz: ${counts.decoded} decoded, ${counts.refused} refused`);
  expect(counts.decoded + counts.refused).toBe(10_000);
  expect(counts.refused).toBeGreaterThan(1000);
  expect(counts.decoded).toBeGreaterThan(100);
}, 60_000);
