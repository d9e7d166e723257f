// RDP graphics decode cost: RemoteFX frames of the real captures through createRdpDecoder (fast-path framing,
// reassembly and all), against FreeRDP's own C decoder (libfreerdp2 rfx_process_message) on the same messages.
import { createRdpDecoder } from "../../src/rdp/decoder.ts";
import { fragmentedPdus, wholeUpdates } from "../../test/rdp/build.ts";
import { readRdpCapture } from "../../test/rdp/capture.ts";
import { readRdpFixture } from "../../test/rdp/fixtures.ts";
import { decodeWithFreerdp, freerdpReference, rfxMessages, unavailableReason } from "../../test/rdp/reference/freerdp.ts";
import { rfxTiles, stageCosts } from "../rfxStages.ts";
import { f, Lines, type BenchSection } from "./common.ts";

interface Workload {
  what: string;
  width: number;
  height: number;
  /** Whole surface-commands updates, decoded in order as one pass. */
  surfaces: Uint8Array[];
  tiles: number;
}

function tileCount(surface: Uint8Array): number {
  let n = 0;
  for (const m of rfxMessages([surface])) {
    const v = new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    for (let b = 0; b + 6 <= m.data.length; b += v.getUint32(b + 2, true)) {
      if (v.getUint16(b, true) === 0xccc7) n += v.getUint16(b + 16, true);
      if (v.getUint32(b + 2, true) < 6) break;
    }
  }
  return n;
}

/** Best and median wall time of `repeats` passes of `run`, and their mean CPU time. */
function time(repeats: number, run: () => void): { best: number; median: number; cpuMean: number } {
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  return { best: times[0]!, median: times[times.length >> 1]!, cpuMean: (cpu.user + cpu.system) / 1000 / repeats };
}

const section: BenchSection = {
  name: "rdp-decode",
  title: "RDP decode: RemoteFX frames vs FreeRDP's decoder",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const shadow = readRdpCapture();
    const shadowSurfaces = wholeUpdates(shadow.pdus).filter((u) => u.code === 4).map((u) => u.data);
    const hd = readRdpFixture("rfx-1080p");
    const hdSurfaces = wholeUpdates(hd.pdus).filter((u) => u.code === 4).map((u) => u.data);
    const hdFull = hdSurfaces.find((s) => tileCount(s) >= 500) ?? hdSurfaces[0]!;
    const workloads: Workload[] = [
      { what: "720p full screen (first frame of rdp-shadow-720)", width: 1280, height: 720, surfaces: [shadowSurfaces[0]!], tiles: tileCount(shadowSurfaces[0]!) },
      { what: "720p typical frame (all 76 frames of rdp-shadow-720, per frame)", width: 1280, height: 720, surfaces: shadowSurfaces, tiles: shadowSurfaces.reduce((a, s) => a + tileCount(s), 0) },
      { what: "1080p full screen (first full frame of rfx-1080p)", width: 1920, height: 1080, surfaces: [hdFull], tiles: tileCount(hdFull) },
      { what: "1080p typical frame (all frames of rfx-1080p, per frame)", width: 1920, height: 1080, surfaces: hdSurfaces, tiles: hdSurfaces.reduce((a, s) => a + tileCount(s), 0) },
    ];
    const repeats = quick ? 2 : 7;
    const exe = freerdpReference();
    out(`Each row decodes the same RemoteFX messages ${repeats} times (best pass shown, median in brackets). Ours includes fast-path framing and`);
    out("fragment reassembly; FreeRDP is `rfx_process_message` of Debian's libfreerdp2 2.11 with its default context (SSE2, its own thread pool).");
    out(exe ? "" : `FreeRDP column empty: ${unavailableReason()}`);
    out();
    out("Wall times suffer from whatever else the machine runs; CPU times (mean per pass, FreeRDP's over all its threads) less so.");
    out();
    out("| frames | tiles/frame | ours ms/frame | ours frames/s | ours CPU ms/frame | FreeRDP ms/frame | FreeRDP frames/s | FreeRDP CPU ms/frame | ours / FreeRDP wall | ours / FreeRDP CPU |");
    out("|---|---|---|---|---|---|---|---|---|---|");
    for (const w of workloads) {
      const pdus = w.surfaces.map((s) => fragmentedPdus(4, s));
      const frames = w.surfaces.length;
      const decoder = createRdpDecoder(w.width, w.height);
      for (const list of pdus) for (const p of list) decoder.apply(p); // warm-up pass
      const ours = time(repeats, () => {
        for (const list of pdus) for (const p of list) decoder.apply(p);
      });
      if (Object.keys(decoder.stats.problems).length) throw new Error(`decode problems: ${JSON.stringify(decoder.stats.problems)}`);
      const oursMs = ours.best / frames;
      const oursCpu = ours.cpuMean / frames;
      let peer = "";
      if (exe) {
        const ref = decodeWithFreerdp(exe, rfxMessages(w.surfaces), w.width, w.height, repeats);
        const refMs = ref.ms / frames;
        const refCpu = ref.cpuMs / repeats / frames;
        peer = `| ${f(refMs, 2)} | ${f(1000 / refMs, 0)} | ${f(refCpu, 2)} | ${f(oursMs / refMs, 2)}× | ${f(oursCpu / refCpu, 2)}× |`;
      } else {
        peer = "| – | – | – | – | – |";
      }
      out(`| ${w.what} | ${f(w.tiles / frames, 0)} | ${f(oursMs, 2)} (${f(ours.median / frames, 2)}) | ${f(1000 / oursMs, 0)} | ${f(oursCpu, 2)} ${peer}`);
    }
    out();
    const hdTiles = rfxTiles(rfxMessages(hdSurfaces));
    const stages = stageCosts(hdTiles, quick ? 2 : 5);
    const perTile = (ms: number) => f((ms * 1000) / hdTiles.length, 1);
    const whole = workloads[3]!;
    out(`Where our CPU goes, per tile, over the ${hdTiles.length} tiles of rfx-1080p (each stage run alone over all of them, best of ${quick ? 2 : 5}; \`bench/rfxStages.ts\`):`);
    out();
    out("| RLGR entropy decode (3 components) | dequantisation + inverse DWT | YCbCr → RGBA into the screen | tile total |");
    out("|---|---|---|---|");
    out(`| ${perTile(stages.rlgr)} µs | ${perTile(stages.tile - stages.rlgr)} µs | ${perTile(stages.colour)} µs | ${perTile(stages.tile + stages.colour)} µs |`);
    out();
    out(`The rest of a frame's cost (fast-path framing, fragment reassembly, block parsing, clipping to the region) is the difference between the ${whole.what.split(" (")[0]} row and ${f(whole.tiles / whole.surfaces.length, 0)} × the tile total.`);
    return lines;
  },
};
export default section;
