// The RemoteFX stages on hand-checked values: RLGR1/RLGR3 bit streams, the inverse DWT, YCbCr → RGB.
import { describe, expect, test } from "bun:test";
import { ycbcrToRgba } from "../../src/rdp/rfx/color";
import { inverseDwt } from "../../src/rdp/rfx/dwt";
import { RLGR1, RLGR3, RlgrStatus, rlgrDecode } from "../../src/rdp/rfx/rlgr";

function decode(mode: number, bytes: number[], size: number): { status: RlgrStatus; values: number[] } {
  const out = new Int16Array(size);
  const status = rlgrDecode(mode, new Uint8Array(bytes), 0, bytes.length, out, new Uint8Array(size));
  return { status, values: [...out] };
}

describe("RLGR", () => {
  test("RLGR3: run-length mode value, then a GR pair of zeros", () => {
    // 1 (no zero runs) | 0 (run of 0 more) | 0 (+) | 0 1 (GR: vk 0, kr=1 bit 1 → 1, so value 2) → k drops to 0;
    // 0 (GR with kr 0: sum 0) → two zeros.   = 100010 → 0x88
    expect(decode(RLGR3, [0x88], 3)).toEqual({ status: RlgrStatus.Ok, values: [2, 0, 0] });
  });

  test("RLGR3: a GR sum split into two values", () => {
    // 10001 as above (value 2, k → 0, kr → 0) | 110 (vk 2 → sum 2, kr → 1) | 01 (first value 1 in 2 bits, second 2−1=1)
    // 1 and 1 are both −1 in 2MagSign.   = 1000111001 → 0x8E 0x40
    expect(decode(RLGR3, [0x8e, 0x40], 3)).toEqual({ status: RlgrStatus.Ok, values: [2, -1, -1] });
  });

  test("RLGR1: zero runs, a negative run end, then single GR values", () => {
    // 0 (run of 2 zeros, k stays 1) | 1 | 1 (one more zero) | 1 (−) | 10 0 (vk 1, bit 0: mag 2 → −3) → k 0;
    // 0 1 (mag 1 → −1) | 110 (vk 2, kr 0: mag 2 → +1).   = 011110001110 → 0x78 0xE0
    expect(decode(RLGR1, [0x78, 0xe0], 6)).toEqual({ status: RlgrStatus.Ok, values: [0, 0, 0, -3, -1, 1] });
  });

  test("a stream that ends before its coefficients is an overrun", () => {
    expect(decode(RLGR3, [0x00], 4096).status).toBe(RlgrStatus.Overrun);
    expect(decode(RLGR1, [], 4096).status).toBe(RlgrStatus.Overrun);
    // Unary code running off the end.
    expect(decode(RLGR3, new Array(64).fill(0xff), 4096).status).toBe(RlgrStatus.Overrun);
  });

  test("a magnitude no coefficient can have is invalid, not a crash", () => {
    const bytes = [...new Array(5000).fill(0xff), 0x00, 0x00];
    expect(decode(RLGR3, bytes, 4096).status).toBe(RlgrStatus.Invalid);
  });

  test("values beyond the output are dropped (the reference decoders clip too)", () => {
    // 0x88 decodes 3 values; with room for 2 only the first two are kept.
    expect(decode(RLGR3, [0x88], 2)).toEqual({ status: RlgrStatus.Ok, values: [2, 0] });
  });
});

describe("inverse DWT", () => {
  test("a flat LL3 band gives a flat tile", () => {
    const buf = new Int16Array(4096);
    buf.fill(37, 4032);
    inverseDwt(buf, new Int16Array(4096));
    expect(new Set(buf)).toEqual(new Set([37]));
  });

  test("one HL1 coefficient spreads as the lifting steps say", () => {
    // Horizontal, row 0 of L: even = LL − ((HL[n−1] + HL[n] + 1) >> 1) → −1, −1, 0…; odd = 2·HL + ((even + next even) >> 1)
    // → 1, −1, 0…  Vertical: row 0 = L row 0, row 1 = (row 0 + row 2) >> 1, the rest 0.
    const buf = new Int16Array(4096);
    buf[0] = 1;
    inverseDwt(buf, new Int16Array(4096));
    expect([...buf.subarray(0, 6)]).toEqual([-1, 1, -1, -1, 0, 0]);
    expect([...buf.subarray(64, 70)]).toEqual([-1, 0, -1, -1, 0, 0]);
    expect(buf.subarray(128).every((v) => v === 0)).toBe(true);
    expect(buf.subarray(6, 64).every((v) => v === 0)).toBe(true);
  });
});

describe("YCbCr → RGB", () => {
  function pixel(y: number, cb: number, cr: number): number[] {
    const rgba = new Uint8Array(4096 * 4);
    ycbcrToRgba(new Int16Array(4096).fill(y), new Int16Array(4096).fill(cb), new Int16Array(4096).fill(cr), new Uint32Array(rgba.buffer), 0, 64, 0, 0, 64, 64);
    return [...rgba.subarray(0, 4)];
  }

  test("grey levels and clamping", () => {
    expect(pixel(0, 0, 0)).toEqual([128, 128, 128, 255]);
    expect(pixel(-4096, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(4095, 0, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(-8000, 0, 0)).toEqual([0, 0, 0, 255]);
  });

  test("chroma with the 2^14-scaled factors and high-word products", () => {
    // R = (1024 + (1000·22986 >> 16)) >> 3 = (1024 + 350) >> 3 = 171; G = (1024 + (1000·−11698 >> 16)) >> 3 = 845 >> 3 = 105
    expect(pixel(0, 0, 1000)).toEqual([171, 105, 128, 255]);
    // B = (1024 + (−1000·28999 >> 16)) >> 3 = (1024 − 443) >> 3 = 72; G = (1024 + (−1000·−5636 >> 16)) >> 3 = 1110 >> 3 = 138
    expect(pixel(0, -1000, 0)).toEqual([128, 138, 72, 255]);
  });
});
