// Pointer updates of every colour depth, the cache, hiding and the default arrow, and drawing the pointer.
import { describe, expect, test } from "bun:test";
import { createRdpDecoder } from "../../src/rdp/decoder";
import { DEFAULT_POINTER, drawPointer } from "../../src/rdp/pointerDraw";
import type { RdpPointerShape } from "../../src/rdp/pointer";
import { fastPathPdu, fragmentedPdus } from "./build";

/** TS_POINTERATTRIBUTE (code 11) of a w×h pointer; `xor` and `and` are bottom-up, rows padded to 2 bytes. */
function newPointer(bpp: number, index: number, hot: [number, number], w: number, h: number, xor: number[], and: number[]): Uint8Array {
  const head = new DataView(new ArrayBuffer(16));
  head.setUint16(0, bpp, true);
  head.setUint16(2, index, true);
  head.setUint16(4, hot[0], true);
  head.setUint16(6, hot[1], true);
  head.setUint16(8, w, true);
  head.setUint16(10, h, true);
  head.setUint16(12, and.length, true);
  head.setUint16(14, xor.length, true);
  return new Uint8Array([...new Uint8Array(head.buffer), ...xor, ...and]);
}

const u16 = (v: number) => [v & 0xff, v >> 8];

describe("pointer updates", () => {
  test("a 1 bpp pointer: black, white, transparent and inverting pixels", () => {
    const d = createRdpDecoder(100, 100);
    // 2×2, bottom row first. Top row: (AND 0, XOR 1) white, (AND 1, XOR 0) transparent.
    // Bottom row: (AND 0, XOR 0) black, (AND 1, XOR 1) invert.
    const xor = [0b01000000, 0, 0b10000000, 0];
    const and = [0b01000000, 0, 0b01000000, 0];
    const r = d.apply(fastPathPdu([{ code: 11, data: newPointer(1, 3, [1, 0], 2, 2, xor, and) }]));
    expect(r.problems).toEqual([]);
    expect(r.pointerChanged).toBe(true);
    const s = d.pointer.shape as RdpPointerShape;
    expect([s.width, s.height, s.hotX, s.hotY]).toEqual([2, 2, 1, 0]);
    expect([...s.rgba]).toEqual([255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 0]);
    expect([...s.invert!]).toEqual([0, 0, 0, 1]);
  });

  test("24, 16 and 32 bpp colours; 32 bpp alpha is kept", () => {
    const d = createRdpDecoder(100, 100);
    // 1×1 pointers; XOR rows padded to 2 bytes, AND rows to 2 bytes.
    d.apply(fastPathPdu([{ code: 11, data: newPointer(24, 0, [0, 0], 1, 1, [0x30, 0x20, 0x10, 0], [0, 0]) }]));
    expect([...d.pointer.shape!.rgba]).toEqual([0x10, 0x20, 0x30, 255]);
    d.apply(fastPathPdu([{ code: 11, data: newPointer(16, 1, [0, 0], 1, 1, u16(0xf800), [0, 0]) }]));
    expect([...d.pointer.shape!.rgba]).toEqual([255, 0, 0, 255]);
    d.apply(fastPathPdu([{ code: 11, data: newPointer(32, 2, [0, 0], 1, 1, [0x00, 0x00, 0xff, 0x80], []) }]));
    expect([...d.pointer.shape!.rgba]).toEqual([255, 0, 0, 0x80]);
    // Colour pointer (code 9) is the 24 bpp form without xorBpp.
    const color = newPointer(24, 4, [0, 0], 1, 1, [1, 2, 3, 0], [0, 0]).subarray(2);
    expect(d.apply(fastPathPdu([{ code: 9, data: color }])).problems).toEqual([]);
    expect([...d.pointer.shape!.rgba]).toEqual([3, 2, 1, 255]);
  });

  test("the cache, null and default pointers, position", () => {
    const d = createRdpDecoder(100, 100);
    d.apply(fastPathPdu([{ code: 11, data: newPointer(24, 7, [0, 0], 1, 1, [9, 9, 9, 0], [0, 0]) }]));
    const seven = d.pointer.shape;
    d.apply(fastPathPdu([{ code: 6, data: new Uint8Array(0) }]));
    expect(d.pointer.shape).toBeNull();
    expect(d.pointer.visible).toBe(true);
    d.apply(fastPathPdu([{ code: 5, data: new Uint8Array(0) }]));
    expect(d.pointer.visible).toBe(false);
    const r = d.apply(fastPathPdu([{ code: 10, data: new Uint8Array(u16(7)) }, { code: 8, data: new Uint8Array([...u16(40), ...u16(50)]) }]));
    expect(r.pointerChanged).toBe(true);
    expect(d.pointer).toEqual({ x: 40, y: 50, visible: true, shape: seven });
    expect(d.apply(fastPathPdu([{ code: 8, data: new Uint8Array([...u16(40), ...u16(50)]) }])).pointerChanged).toBe(false);
  });

  test("absurd or broken pointers are refused and the pointer stays as it was", () => {
    const d = createRdpDecoder(100, 100);
    d.apply(fastPathPdu([{ code: 11, data: newPointer(24, 0, [0, 0], 1, 1, [9, 9, 9, 0], [0, 0]) }]));
    const before = d.pointer.shape;
    const kind = (data: Uint8Array, code = 11) => d.apply(fastPathPdu([{ code, data }])).problems.map((p) => p.kind);
    const huge = newPointer(24, 1, [0, 0], 1, 1, [], []);
    new DataView(huge.buffer).setUint16(8, 5000, true);
    new DataView(huge.buffer).setUint16(10, 5000, true);
    expect(kind(huge)).toEqual(["pointer-too-large"]);
    expect(kind(newPointer(24, 1, [0, 0], 4, 4, [1, 2, 3], []))).toEqual(["pointer-invalid"]);
    expect(kind(newPointer(7, 1, [0, 0], 1, 1, [0, 0], [0, 0]))).toEqual(["pointer-invalid"]);
    expect(kind(newPointer(24, 1, [0, 0], 1, 1, [1, 2, 3, 0], [0, 0]).subarray(0, 18))).toEqual(["truncated"]);
    expect(kind(new Uint8Array(u16(12)), 10)).toEqual(["pointer-cache-miss"]);
    expect(kind(new Uint8Array(u16(9999)), 10)).toEqual(["pointer-cache-index"]);
    expect(kind(new Uint8Array(1), 8)).toEqual(["truncated"]);
    expect(d.pointer.shape).toBe(before);
  });
});

test("the pointer cache stays within its memory budget: the oldest large pointers make room", () => {
  const d = createRdpDecoder(100, 100);
  // Large pointers (code 12, u32 mask lengths) of 384×384 at 1 bpp; 40 of them would be 5.9 M pixels.
  const large = (index: number) => {
    const stride = 48;
    const head = new DataView(new ArrayBuffer(20));
    head.setUint16(0, 1, true);
    head.setUint16(2, index, true);
    head.setUint16(8, 384, true);
    head.setUint16(10, 384, true);
    head.setUint32(12, stride * 384, true);
    head.setUint32(16, stride * 384, true);
    return new Uint8Array([...new Uint8Array(head.buffer), ...new Uint8Array(stride * 384 * 2).fill(index)]);
  };
  for (let i = 0; i < 40; i++) {
    for (const pdu of fragmentedPdus(12, large(i), 16000)) expect(d.apply(pdu).problems).toEqual([]);
    expect(d.pointer.shape!.width).toBe(384);
  }
  const cached = (i: number) => d.apply(fastPathPdu([{ code: 10, data: new Uint8Array(u16(i)) }])).problems.map((p) => p.kind);
  expect(cached(39)).toEqual([]);
  expect(cached(0)).toEqual(["pointer-cache-miss"]);
  // 4 Mi pixels hold 28 of them: the newest 28 are still there.
  expect(cached(12)).toEqual([]);
  expect(cached(11)).toEqual(["pointer-cache-miss"]);
});

describe("drawPointer", () => {
  test("draws the shape at the hot spot, blends alpha, inverts, clips at the edges", () => {
    const rgba = new Uint8Array(4 * 4 * 4).fill(100);
    const shape: RdpPointerShape = {
      width: 2,
      height: 2,
      hotX: 1,
      hotY: 1,
      rgba: new Uint8Array([255, 0, 0, 255, 0, 0, 0, 0, 200, 200, 200, 128, 0, 0, 0, 0]),
      invert: new Uint8Array([0, 0, 0, 1]),
    };
    const area = drawPointer(rgba, 4, 4, { x: 2, y: 2, visible: true, shape });
    expect(area).toEqual({ left: 1, top: 1, right: 3, bottom: 3 });
    const px = (x: number, y: number) => [...rgba.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 3)];
    expect(px(1, 1)).toEqual([255, 0, 0]);
    expect(px(2, 1)).toEqual([100, 100, 100]);
    expect(px(1, 2)).toEqual([150, 150, 150]);
    expect(px(2, 2)).toEqual([155, 155, 155]);
    expect(drawPointer(rgba, 4, 4, { x: 0, y: 0, visible: true, shape })).toEqual({ left: 0, top: 0, right: 1, bottom: 1 });
    expect(drawPointer(rgba, 4, 4, { x: 50, y: 50, visible: true, shape })).toBeNull();
    expect(drawPointer(rgba, 4, 4, { x: 1, y: 1, visible: false, shape })).toBeNull();
  });

  test("a visible default pointer is the arrow, tip at the position", () => {
    const rgba = new Uint8Array(40 * 40 * 4).fill(128);
    const area = drawPointer(rgba, 40, 40, { x: 5, y: 6, visible: true, shape: null });
    expect(area).toEqual({ left: 5, top: 6, right: 5 + DEFAULT_POINTER.width, bottom: 6 + DEFAULT_POINTER.height });
    expect([...rgba.subarray((6 * 40 + 5) * 4, (6 * 40 + 5) * 4 + 3)]).toEqual([0, 0, 0]);
    expect([...rgba.subarray((10 * 40 + 7) * 4, (10 * 40 + 7) * 4 + 3)]).toEqual([255, 255, 255]);
  });
});
