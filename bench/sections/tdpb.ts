// What TDPB costs on the ingest hot path: decoding one frame (and mapping it onto the legacy model) on the
// main thread, legacy TDP against the same messages as TDPB, on the two real captures.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeMessage } from "../../src/tdp/codec.ts";
import { decodeFrame } from "../../src/tdp/eras.ts";
import { encodeTdpb } from "../../src/tdp/tdpb/codec.ts";
import { fromLegacy } from "../../src/tdp/tdpb/fromLegacy.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { CORPUS_DIR, SAMPLE_CAPTURE } from "../../test/support/corpusPath.ts";
import { f, Lines, type BenchSection } from "./common.ts";

/** µs per frame and MB/s for decodeFrame over `frames`, best of `loops` passes (the machine is shared). */
function time(frames: Uint8Array[], loops: number): { usPerFrame: number; mbPerS: number } {
  const bytes = frames.reduce((n, b) => n + b.length, 0);
  let best = Infinity;
  for (let i = 0; i < loops; i++) {
    const t0 = performance.now();
    for (const frame of frames) decodeFrame(frame);
    best = Math.min(best, performance.now() - t0);
  }
  return { usPerFrame: (best * 1000) / frames.length, mbPerS: bytes / 1e6 / (best / 1000) };
}

const section: BenchSection = {
  name: "tdpb",
  title: "TDPB on the ingest path (decode + mapping to the legacy model, main thread)",
  async run({ quick }) {
    const { lines, out } = new Lines();
    out("`bench/sections/tdpb.ts`: every message of a capture through `decodeFrame` (what a live session does per frame,");
    out("PNG tiles checked against their rectangles), as legacy TDP and as the same messages in TDPB Envelopes. Best of several passes.");
    out();
    out("| capture | messages | legacy µs/msg | TDPB µs/msg | TDPB / legacy | legacy MB/s | TDPB MB/s |");
    out("|---|---|---|---|---|---|---|");
    const captures: Array<[string, string]> = [
      ["sample-720 (PNG tiles, input)", SAMPLE_CAPTURE],
      ["rdp-shadow-720 (RemoteFX fast-path PDUs)", join(CORPUS_DIR, "rdp-shadow-720", "rdp-shadow-720.tdpcap")],
    ];
    for (const [label, path] of captures) {
      const legacy = readTdpcap(new Uint8Array(readFileSync(path))).map((r) => r.data);
      const tdpb = legacy.flatMap((m) => {
        const t = fromLegacy(decodeMessage(m));
        return t ? [encodeTdpb(t)] : [];
      });
      const loops = quick ? 3 : 15;
      const a = time(legacy, loops);
      const b = time(tdpb, loops);
      out(`| ${label} | ${legacy.length} | ${f(a.usPerFrame, 2)} | ${f(b.usPerFrame, 2)} | ${f(b.usPerFrame / a.usPerFrame, 2)}× | ${f(a.mbPerS, 0)} | ${f(b.mbPerS, 0)} |`);
    }
    return lines;
  },
};
export default section;
