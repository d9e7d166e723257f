// Our PNG decoder against Skia's (the decoder the canvas used before): every colour type and bit depth,
// Adam7 interlacing, palettes with tRNS, grey and RGB colour keys, random rows under every filter type.
// Pixels must agree exactly (premultiplied, as a canvas holds them).
import { describe, expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import { decodePng, pngDecodeProblem } from "../../src/png/decode.ts";
import { PNG_CHANNELS, PNG_SIGNATURE } from "../../src/png/header.ts";
import { ihdrData, pngChunk } from "../../src/png/write.ts";
import { concatBytes } from "../../src/bytes.ts";
import { pngPixels } from "../support/pngPixels.ts";

const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

function random(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (x * 1664525 + 1013904223) >>> 0) >>> 24;
}

interface Case { width: number; height: number; bitDepth: number; colorType: number; interlace: 0 | 1; palette?: number; trns?: boolean }

/** A PNG of random rows, each under a random filter type, with a palette / tRNS as the case asks. */
function makePng(c: Case, seed: number): Uint8Array {
  const next = random(seed);
  const bits = (PNG_CHANNELS.get(c.colorType) ?? 1) * c.bitDepth;
  const passes = c.interlace ? ADAM7.map(([x0, y0, dx, dy]) => [Math.ceil(Math.max(0, c.width - x0) / dx), Math.ceil(Math.max(0, c.height - y0) / dy)]) : [[c.width, c.height]];
  const rows: number[] = [];
  for (const [w, h] of passes) {
    if (w === 0 || h === 0) continue;
    for (let y = 0; y < h; y++) {
      rows.push(next() % 5);
      for (let i = 0; i < Math.ceil((w * bits) / 8); i++) {
        // palette indices stay mostly inside the palette; samples of small depths use every value
        rows.push(c.colorType === 3 && c.bitDepth === 8 ? next() % ((c.palette ?? 256) + 2) : next());
      }
    }
  }
  const chunks = [pngChunk("IHDR", ihdrData({ ...c }))];
  if (c.colorType === 3) {
    chunks.push(pngChunk("PLTE", Uint8Array.from({ length: (c.palette ?? 256) * 3 }, next)));
    if (c.trns) chunks.push(pngChunk("tRNS", Uint8Array.from({ length: Math.min(c.palette ?? 256, 40) }, (_, i) => (i % 3 === 0 ? 255 : next()))));
  } else if (c.trns && c.colorType === 0) {
    chunks.push(pngChunk("tRNS", Uint8Array.of(0, c.bitDepth === 16 ? 0 : 1)));
  } else if (c.trns && c.colorType === 2) {
    chunks.push(pngChunk("tRNS", Uint8Array.of(0, 0, 0, 0, 0, 0)));
  }
  chunks.push(pngChunk("IDAT", deflateSync(Uint8Array.from(rows))), pngChunk("IEND", new Uint8Array(0)));
  return concatBytes([PNG_SIGNATURE, ...chunks]);
}

const premultiplied = (rgba: Uint8Array, i: number) => (i % 4 === 3 ? rgba[i] : Math.round((rgba[i] * rgba[i - (i % 4) + 3]) / 255));

const cases: Case[] = [];
for (const interlace of [0, 1] as const) {
  for (const [colorType, depths] of [[0, [1, 2, 4, 8, 16]], [2, [8, 16]], [3, [1, 2, 4, 8]], [4, [8, 16]], [6, [8, 16]]] as const) {
    for (const bitDepth of depths) cases.push({ width: 37, height: 23, bitDepth, colorType, interlace });
  }
  cases.push({ width: 13, height: 9, bitDepth: 8, colorType: 3, interlace, palette: 50, trns: true });
  cases.push({ width: 13, height: 9, bitDepth: 4, colorType: 3, interlace, palette: 7 });
  cases.push({ width: 13, height: 9, bitDepth: 8, colorType: 0, interlace, trns: true });
  cases.push({ width: 13, height: 9, bitDepth: 8, colorType: 2, interlace, trns: true });
  cases.push({ width: 1, height: 1, bitDepth: 8, colorType: 6, interlace });
  cases.push({ width: 3, height: 70, bitDepth: 8, colorType: 2, interlace });
}

describe("decodePng gives the pixels Skia gives", () => {
  for (const c of cases) {
    const name = `${c.width}x${c.height} colour type ${c.colorType}, ${c.bitDepth} bits${c.interlace ? ", Adam7" : ""}${c.palette ? `, ${c.palette}-entry palette` : ""}${c.trns ? ", tRNS" : ""}`;
    test(name, async () => {
      for (const seed of [1, 2, 3]) {
        const png = makePng(c, seed * 7919 + c.colorType);
        expect(pngDecodeProblem(png)).toBeNull();
        const ours = decodePng(png);
        const skia = await pngPixels(png);
        expect([ours.width, ours.height]).toEqual([skia.width, skia.height]);
        const tolerance = 0;
        let worst = 0;
        for (let i = 0; i < ours.rgba.length; i++) worst = Math.max(worst, Math.abs(premultiplied(ours.rgba, i) - premultiplied(skia.rgba, i)));
        expect(worst).toBeLessThanOrEqual(tolerance);
        let opaque = true;
        for (let i = 3; i < ours.rgba.length; i += 4) if (ours.rgba[i] !== 255) opaque = false;
        expect(ours.opaque).toBe(opaque);
      }
    });
  }
});

test("decodePng names what is wrong, as the check does", () => {
  const good = makePng({ width: 8, height: 8, bitDepth: 8, colorType: 2, interlace: 0 }, 5);
  expect(() => decodePng(good.subarray(0, good.length - 12))).toThrow("no IEND (truncated PNG)");
  const badCrc = good.slice();
  badCrc[40] ^= 0xff;
  expect(() => decodePng(badCrc)).toThrow(/CRC mismatch/);
  expect(() => decodePng(new Uint8Array(40).fill(7))).toThrow("not a PNG (bad signature)");
});
