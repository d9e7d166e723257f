// Interleaved RLE, one hand-built stream per order code (MS-RDPBCGR 2.2.9.1.1.3.1.2.4), at 24 bpp so pixel
// values read as 0xRRGGBB, plus the 8/15/16 bpp pixel sizes and every way a stream can lie.
import { describe, expect, test } from "bun:test";
import { decodeInterleaved } from "../../src/rdp/bitmap/interleaved";
import { kindOf } from "./build";

const p24 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
const WHITE = 0xffffff;

function decode(bytes: number[], width: number, height: number, bpp = 24): number[] {
  const out = new Uint32Array(width * height);
  decodeInterleaved(new Uint8Array(bytes), width, height, bpp, out);
  return [...out];
}

describe("interleaved RLE orders", () => {
  test("REGULAR_COLOR_IMAGE copies pixels; MEGA_MEGA_COLOR_IMAGE takes a 16-bit length", () => {
    expect(decode([0x83, ...p24(0x112233), ...p24(0x445566), ...p24(0x778899)], 3, 1)).toEqual([0x112233, 0x445566, 0x778899]);
    expect(decode([0xf4, 2, 0, ...p24(1), ...p24(2)], 2, 1)).toEqual([1, 2]);
  });

  test("REGULAR_COLOR_RUN, its extended length (+32) and MEGA_MEGA_COLOR_RUN", () => {
    expect(decode([0x64, ...p24(0xabcdef)], 4, 1)).toEqual(Array(4).fill(0xabcdef));
    expect(decode([0x60, 3, ...p24(7)], 35, 1)).toEqual(Array(35).fill(7));
    expect(decode([0xf3, 0x2c, 0x01, ...p24(9)], 300, 1)).toEqual(Array(300).fill(9));
  });

  test("background runs: black on the first line, the pixel above after it", () => {
    const first = [0x83, ...p24(1), ...p24(2), ...p24(3)];
    expect(decode([...first, 0x03], 3, 2)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(decode([0x03], 3, 1)).toEqual([0, 0, 0]);
    expect(decode([0xf0, 3, 0], 3, 1)).toEqual([0, 0, 0]);
  });

  test("a background run right after another starts with a foreground pixel", () => {
    // first line: fg pel (white) then black; later lines: above XOR fg, then above
    expect(decode([0x02, 0x02], 4, 1)).toEqual([0, 0, WHITE, 0]);
    const first = [0x84, ...p24(0x10), ...p24(0x20), ...p24(0x30), ...p24(0x40)];
    expect(decode([...first, 0x02, 0x02], 4, 2).slice(4)).toEqual([0x10, 0x20, 0x30 ^ WHITE, 0x40]);
  });

  test("foreground runs: the foreground colour on the first line, above XOR it after", () => {
    expect(decode([0x23], 3, 1)).toEqual([WHITE, WHITE, WHITE]);
    const first = [0x83, ...p24(0x0f0f0f), ...p24(0), ...p24(0xffffff)];
    expect(decode([...first, 0x23], 3, 2).slice(3)).toEqual([0xf0f0f0, WHITE, 0]);
    expect(decode([0xf1, 2, 0], 2, 1)).toEqual([WHITE, WHITE]);
    expect(decode([0x20, 0], 32, 1)).toEqual(Array(32).fill(WHITE));
  });

  test("set-foreground runs (LITE and MEGA_MEGA) change the foreground for later orders", () => {
    expect(decode([0xc2, ...p24(0x123456), 0x22], 4, 1)).toEqual([0x123456, 0x123456, 0x123456, 0x123456]);
    expect(decode([0xc0, 1, ...p24(5)], 17, 1)).toEqual(Array(17).fill(5));
    expect(decode([0xf6, 3, 0, ...p24(6)], 3, 1)).toEqual([6, 6, 6]);
  });

  test("dithered runs (LITE and MEGA_MEGA) alternate two colours", () => {
    expect(decode([0xe2, ...p24(1), ...p24(2)], 4, 1)).toEqual([1, 2, 1, 2]);
    expect(decode([0xf8, 2, 0, ...p24(3), ...p24(4)], 4, 1)).toEqual([3, 4, 3, 4]);
    expect(decode([0xe0, 0, ...p24(1), ...p24(2)], 32, 1)).toEqual(Array(16).fill([1, 2]).flat());
  });

  test("foreground/background images: one bit per pixel, low bit first", () => {
    // 0x41 = 8 pixels; first line: set bit = foreground (white), clear = black
    expect(decode([0x41, 0b00000101], 8, 1)).toEqual([WHITE, 0, WHITE, 0, 0, 0, 0, 0]);
    // short form: length byte + 1 = 3 pixels
    expect(decode([0x40, 2, 0b110], 3, 1)).toEqual([0, WHITE, WHITE]);
    // after the first line: above, or above XOR foreground
    const first = [0x83, ...p24(0x0000ff), ...p24(0x00ff00), ...p24(0xff0000)];
    expect(decode([...first, 0x40, 2, 0b010], 3, 2).slice(3)).toEqual([0x0000ff, 0x00ff00 ^ WHITE, 0xff0000]);
    expect(decode([0xf2, 3, 0, 0b111], 3, 1)).toEqual([WHITE, WHITE, WHITE]);
  });

  test("set-foreground images (LITE and MEGA_MEGA) read the colour first", () => {
    expect(decode([0xd1, ...p24(0x777777), 0b10000001], 8, 1)).toEqual([0x777777, 0, 0, 0, 0, 0, 0, 0x777777]);
    expect(decode([0xf7, 2, 0, ...p24(8), 0b01], 2, 1)).toEqual([8, 0]);
    expect(decode([0xd0, 9, ...p24(3), 0xff, 0b11], 10, 1)).toEqual(Array(10).fill(3));
  });

  test("special orders: FGBG 1 (mask 0x03), FGBG 2 (mask 0x05), white, black", () => {
    expect(decode([0xf9], 8, 1)).toEqual([WHITE, WHITE, 0, 0, 0, 0, 0, 0]);
    expect(decode([0xfa], 8, 1)).toEqual([WHITE, 0, WHITE, 0, 0, 0, 0, 0]);
    expect(decode([0xfd, 0xfe, 0xfd], 3, 1)).toEqual([WHITE, 0, WHITE]);
  });

  test("pixel sizes: 8 bpp one byte (white 0xff), 15/16 bpp two bytes little-endian (white 0xffff)", () => {
    expect(decode([0x82, 0x12, 0x34, 0xfd], 3, 1, 8)).toEqual([0x12, 0x34, 0xff]);
    expect(decode([0x82, 0x34, 0x12, 0xcd, 0xab, 0xfd], 3, 1, 16)).toEqual([0x1234, 0xabcd, 0xffff]);
    expect(decode([0x62, 0xff, 0x7f], 2, 1, 15)).toEqual([0x7fff, 0x7fff]);
  });

  test("a stream that ends early leaves the rest of the picture black", () => {
    expect(decode([0x61, ...p24(5)], 3, 1)).toEqual([5, 0, 0]);
  });
});

describe("interleaved RLE bad input", () => {
  test("a run past the end of the picture is an overrun", () => {
    expect(kindOf(() => decode([0x65, ...p24(1)], 2, 2))).toBe("rle-overrun");
    expect(kindOf(() => decode([0xf0, 0xff, 0xff], 4, 4))).toBe("rle-overrun");
    expect(kindOf(() => decode([0xf9], 4, 1))).toBe("rle-overrun");
    expect(kindOf(() => decode([0xe3, ...p24(1), ...p24(2)], 5, 1))).toBe("rle-overrun");
  });

  test("a pixel, length or bitmask past the end of the data is truncated", () => {
    expect(kindOf(() => decode([0x83, ...p24(1)], 3, 1))).toBe("truncated");
    expect(kindOf(() => decode([0x60], 40, 1))).toBe("truncated");
    expect(kindOf(() => decode([0xf3, 5], 40, 1))).toBe("truncated");
    expect(kindOf(() => decode([0x42], 16, 1))).toBe("truncated");
    expect(kindOf(() => decode([0xc3, 1, 2], 3, 1))).toBe("truncated");
  });

  test("undefined order codes and colour depths are refused", () => {
    for (const code of [0xa0, 0xf5, 0xfb, 0xfc, 0xff]) expect(kindOf(() => decode([code], 8, 1))).toBe("rle-bad-order");
    expect(kindOf(() => decode([0xfd], 1, 1, 32))).toBe("bad-bpp");
  });
});
