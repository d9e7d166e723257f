// RDP bitmap updates (planar, interleaved RLE) decoded from the real captures in test/fixtures/rdp/, against the
// PNG-era peer: the same screen areas drawn the way the compositor draws PNG tiles (checked, decoded, drawn).
import { createCanvas, Image } from "@napi-rs/canvas";
import { createRdpDecoder } from "../../src/rdp/decoder.ts";
import type { RdpRect } from "../../src/rdp/types.ts";
import { pngDecodeProblem } from "../../src/png/decode.ts";
import { readRdpFixture } from "../../test/rdp/fixtures.ts";
import { stats } from "../web.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const CAPTURES: [string, string][] = [
  ["planar", "planar, 32 bpp (FreeRDP shadow server)"],
  ["interleaved16", "interleaved RLE, 16 bpp"],
  ["interleaved15", "interleaved RLE, 15 bpp"],
];

interface Run {
  sessionMs: number;
  /** CPU time of the decoding (user + system): on this shared machine wall time mostly measures the neighbours. */
  cpuMs: number;
  wallMs: number;
  pixels: number;
  perPdu: number[];
  areas: { rect: RdpRect; rgba: Uint8ClampedArray }[];
}

/** One replay of a capture through the decoder; with `keepAreas`, a copy of every area drawn (for the PNG peer). */
function replay(name: string, keepAreas: boolean): Run {
  const fx = readRdpFixture(name);
  const decoder = createRdpDecoder(fx.width, fx.height);
  const perPdu: number[] = [];
  const areas: Run["areas"] = [];
  let pixels = 0;
  let wallMs = 0;
  let cpuMs = 0;
  for (const { pdu } of fx.pdus) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = decoder.apply(pdu);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuMs += (c.user + c.system) / 1000;
    wallMs += ms;
    if (r.problems.length) throw new Error(`${name}: ${r.problems[0]!.kind}: ${r.problems[0]!.message}`);
    if (r.dirty.length === 0) continue;
    perPdu.push(ms);
    for (const d of r.dirty) {
      const w = d.right - d.left;
      pixels += w * (d.bottom - d.top);
      if (!keepAreas) continue;
      const rgba = new Uint8ClampedArray(w * (d.bottom - d.top) * 4);
      for (let y = d.top; y < d.bottom; y++) {
        rgba.set(decoder.rgba.subarray((y * fx.width + d.left) * 4, (y * fx.width + d.right) * 4), (y - d.top) * w * 4);
      }
      areas.push({ rect: d, rgba });
    }
  }
  return { sessionMs: fx.pdus.at(-1)!.delayMs, cpuMs, wallMs, pixels, perPdu, areas };
}

/** The peer: every area as a PNG tile, drawn as the compositor draws one (structure check, decode, drawImage). */
function pngPeer(run: Run, width: number, height: number): number {
  const pngs = run.areas.map(({ rect, rgba }) => {
    const c = createCanvas(rect.right - rect.left, rect.bottom - rect.top);
    const ctx = c.getContext("2d");
    const img = ctx.createImageData(rect.right - rect.left, rect.bottom - rect.top);
    img.data.set(rgba);
    ctx.putImageData(img, 0, 0);
    return { rect, png: new Uint8Array(c.toBuffer("image/png")) };
  });
  const screen = createCanvas(width, height).getContext("2d");
  const c0 = process.cpuUsage();
  for (const { rect, png } of pngs) {
    if (pngDecodeProblem(png) !== null) throw new Error("PNG peer: tile does not decode");
    const image = new Image();
    image.src = png; // decodes synchronously, as the compositor relies on
    screen.drawImage(image, rect.left, rect.top);
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

const section: BenchSection = {
  name: "rdp-bitmaps",
  title: "RDP bitmap decoding (planar, interleaved RLE)",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const reps = quick ? 1 : 5;
    out(`Real captures (test/fixtures/rdp/, 1280×720) replayed through \`createRdpDecoder\`, best of ${reps} runs after a warm-up run.`);
    out("Times are CPU time of the decoding thread (the machine is shared, so wall time mostly measures the neighbours);");
    out("the peer draws the same areas as PNG tiles the way the compositor draws PNG-era TDP (structure check, decode, drawImage).");
    out("");
    out("| capture | session | decode (CPU) | × real time | Mpx/s | per drawing PDU p50 / p95 / max (ms, wall) | PNG peer (CPU), same areas | bitmap vs PNG |");
    out("|---|---|---|---|---|---|---|---|");
    for (const [name, label] of CAPTURES) {
      const fx = readRdpFixture(name);
      const withAreas = replay(name, true); // warm-up, and the areas for the peer
      let best = replay(name, false);
      for (let i = 1; i < reps; i++) {
        const r = replay(name, false);
        if (r.cpuMs < best.cpuMs) best = r;
      }
      let peerMs = Infinity;
      for (let i = 0; i < Math.max(1, Math.min(reps, 3)); i++) peerMs = Math.min(peerMs, pngPeer(withAreas, fx.width, fx.height));
      const s = stats(best.perPdu);
      out(
        `| ${label} | ${f(best.sessionMs / 1000)} s, ${f(best.pixels / 1e6)} Mpx drawn | ${Math.round(best.cpuMs)} ms | **${f(best.sessionMs / best.cpuMs, 0)}×** | ${f(best.pixels / best.cpuMs / 1000)} | ${f(s.p50, 2)} / ${f(s.p95, 2)} / ${f(s.max, 2)} | ${Math.round(peerMs)} ms | ${f(peerMs / best.cpuMs)}× faster |`,
      );
    }
    return lines;
  },
};
export default section;
