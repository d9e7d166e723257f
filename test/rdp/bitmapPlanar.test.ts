// RDP 6.0 planar bitmaps (MS-RDPEGDI 2.2.2.5), hand-built: raw and RLE planes, with and without alpha,
// RGB and YCoCg (colour-loss levels, chroma subsampling), rows bottom-up, and the ways a stream can lie.
import { describe, expect, test } from "bun:test";
import { decodePlanar } from "../../src/rdp/bitmap/planar";
import { kindOf } from "./build";

const RLE = 0x10;
const NA = 0x20;
const CS = 0x08;

/** Decoded pixels as [r, g, b] triples, top-down (alpha is always 255 on the screen). */
function decode(bytes: number[], width: number, height: number): number[][] {
  const out = new Int32Array(width * height);
  decodePlanar(new Uint8Array(bytes), width, height, out);
  return [...out].map((v) => {
    expect(v >>> 24).toBe(255);
    return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
  });
}

/** Delta byte of an RLE row after the first: 2d for d ≥ 0, 2|d|−1 for d < 0. */
const delta = (d: number) => (d >= 0 ? d * 2 : -d * 2 - 1);

describe("planar", () => {
  test("raw RGB planes without alpha; the first stored row is the bottom one", () => {
    // 2x2: stored rows = bottom (px 0,1), then top (px 2,3)
    const r = [10, 11, 20, 21];
    const g = [30, 31, 40, 41];
    const b = [50, 51, 60, 61];
    expect(decode([NA, ...r, ...g, ...b, 0 /* pad */], 2, 2)).toEqual([
      [20, 40, 60],
      [21, 41, 61],
      [10, 30, 50],
      [11, 31, 51],
    ]);
  });

  test("raw planes with an alpha plane first: the alpha is skipped, colour planes follow it", () => {
    expect(decode([0x00, 7, 7, 1, 2, 3, 4, 5, 6], 2, 1)).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
  });

  test("RLE planes: raw bytes then a run of the last one on the first row, deltas of the row above after", () => {
    // 4x2, each plane: bottom row = control 0x13 (1 raw, run 3) value v; top row = control 0x40 (4 raw deltas)
    const plane = (v: number, d: number[]) => [0x13, v, 0x40, ...d.map(delta)];
    const bytes = [RLE | NA, ...plane(100, [0, 1, -1, 5]), ...plane(50, [0, 0, 0, 0]), ...plane(200, [-3, -3, -3, -3])];
    expect(decode(bytes, 4, 2)).toEqual([
      [100, 50, 197],
      [101, 50, 197],
      [99, 50, 197],
      [105, 50, 197],
      [100, 50, 200],
      [100, 50, 200],
      [100, 50, 200],
      [100, 50, 200],
    ]);
  });

  test("a run after raw deltas repeats the last delta; runs of 1 and 2 mean 16+ and 32+", () => {
    // width 20, 2 rows. Bottom row: 0x41 = run nibble 1, so 16 + 4 = 20 pixels of the row's start value 0.
    // Top row: 0x1f = 1 raw delta (+2) and a run of 15 repeating it, then 0x04 = a run of 4 more.
    const plane = [0x41, 0x1f, delta(2), 0x04];
    const bytes = [RLE | NA, ...plane, ...plane, ...plane];
    const px = decode(bytes, 20, 2);
    expect(px.slice(0, 20)).toEqual(Array(20).fill([2, 2, 2]));
    expect(px.slice(20)).toEqual(Array(20).fill([0, 0, 0]));
    // run 2 => 32 + raw nibble: a 33-pixel row of zeros in one control byte
    const wide = [0x12];
    expect(decode([RLE | NA, ...wide, ...wide, ...wide], 33, 1)).toEqual(Array(33).fill([0, 0, 0]));
  });

  test("RLE with an alpha plane: it is decoded to find the colour planes", () => {
    const plane = (v: number) => [0x13, v]; // 1 raw byte, run of 3
    expect(decode([RLE, ...plane(255), ...plane(1), ...plane(2), ...plane(3)], 4, 1)).toEqual(Array(4).fill([1, 2, 3]));
  });

  test("YCoCg at colour-loss level 1: R = Y − Cg − Co, G = Y + Cg, B = Y − Cg + Co", () => {
    // Y 100, Co +20, Cg −10 => R 90, G 90, B 130. Y 250, Co −128, Cg 127 => 251, 377 → 255, −5 → 0
    expect(decode([NA | 1, 100, 20, 0xf6], 1, 1)).toEqual([[90, 90, 130]]);
    expect(decode([NA | 1, 250, 0x80, 0x7f], 1, 1)).toEqual([[251, 255, 0]]);
  });

  test("YCoCg at colour-loss level 3 shifts chroma left by 2 before the sign", () => {
    // Co raw 5 => 20, Cg raw 0x3e => 0xf8 => −8
    expect(decode([NA | 3, 100, 5, 0x3e], 1, 1)).toEqual([[88, 92, 128]]);
  });

  test("chroma subsampling: one chroma sample per 2×2 block (planes of ceil(w/2)×ceil(h/2))", () => {
    // 3x2 picture, chroma planes 2x1: stored row 0 is the bottom row
    const y = [10, 20, 30, 40, 50, 60];
    const co = [0, 4];
    const cg = [2, 0];
    const px = decode([NA | CS | 1, ...y, ...co, ...cg], 3, 2);
    // pixel (x, stored row r): Co/Cg from column x>>1; Y − Cg − Co, Y + Cg, Y − Cg + Co
    const expectPx = (Y: number, Co: number, Cg: number) => [Y - Cg - Co, Y + Cg, Y - Cg + Co];
    expect(px).toEqual([
      expectPx(40, 0, 2),
      expectPx(50, 0, 2),
      expectPx(60, 4, 0),
      expectPx(10, 0, 2),
      expectPx(20, 0, 2),
      expectPx(30, 4, 0),
    ]);
  });

  test("RLE YCoCg with subsampled chroma planes", () => {
    const px = decode([RLE | NA | CS | 1, 0x13, 80, 0x20, 8, 8, 0x20, 0, 0], 4, 1);
    expect(px).toEqual(Array(4).fill([72, 80, 88]));
  });
});

describe("planar bad input", () => {
  test("chroma subsampling without a colour-loss level is refused", () => {
    expect(kindOf(() => decode([NA | CS, 1, 2, 3], 1, 1))).toBe("planar-bad-header");
  });

  test("raw planes shorter than the picture are truncated", () => {
    expect(kindOf(() => decode([NA, 1, 2, 3, 4, 5], 2, 1))).toBe("truncated");
    expect(kindOf(() => decode([], 1, 1))).toBe("truncated");
  });

  test("an RLE segment longer than its row overruns; a plane that stops early is truncated", () => {
    expect(kindOf(() => decode([RLE | NA, 0x15, 1], 4, 1))).toBe("rle-overrun");
    expect(kindOf(() => decode([RLE | NA, 0x13, 1, 0x13, 1], 4, 1))).toBe("truncated");
    expect(kindOf(() => decode([RLE | NA, 0x40, 1, 2], 4, 1))).toBe("truncated");
  });
});
