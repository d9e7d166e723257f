// Bad input of every kind: a clear, counted problem, the offending update skipped, the picture intact and
// the decoder still working for what follows.
import { beforeAll, describe, expect, test } from "bun:test";
import { createRdpDecoder, type RdpGraphicsDecoder } from "../../src/rdp/decoder";
import { fastPathPdu, fragmentedPdus, rfxLayout, wholeUpdates } from "./build";
import { readRdpCapture } from "./capture";

const capture = readRdpCapture();
const updates = wholeUpdates(capture.pdus);
// The first surface-commands update: the full 240-tile RemoteFX frame with sync, context, region, tileset.
const firstFrame = updates.find((u) => u.code === 4)!.data;
const layout = rfxLayout(firstFrame);
const smallFrame = updates.filter((u) => u.code === 4 && u.data.length < 16000 && rfxLayout(u.data).tiles.length > 0)[0]!.data;

function decoderWithFirstFrame(): RdpGraphicsDecoder {
  const d = createRdpDecoder(1280, 720);
  for (const pdu of fragmentedPdus(4, firstFrame)) expect(d.apply(pdu).problems).toEqual([]);
  return d;
}

function kinds(d: RdpGraphicsDecoder, pdu: Uint8Array): string[] {
  return d.apply(pdu).problems.map((p) => p.kind);
}

let reference: Uint8Array;
beforeAll(() => {
  reference = decoderWithFirstFrame().rgba.slice();
});

describe("fast-path framing", () => {
  test("a truncated PDU keeps its whole updates and reports the cut one", () => {
    const d = decoderWithFirstFrame();
    const pdu = fastPathPdu([{ code: 8, data: new Uint8Array([10, 0, 20, 0]) }, { code: 4, data: smallFrame.subarray(0, 200) }]);
    const r = d.apply(pdu.subarray(0, pdu.length - 50));
    expect(r.problems.map((p) => p.kind)).toEqual(["truncated"]);
    expect(r.problems[0]!.message).toContain("says");
    expect([d.pointer.x, d.pointer.y]).toEqual([10, 20]);
    expect(d.rgba).toEqual(reference);
    expect(d.stats.problems.truncated).toBe(1);
  });

  test("a length that lies, an update overrunning its PDU, a PDU shorter than its header", () => {
    const d = decoderWithFirstFrame();
    const pdu = fastPathPdu([{ code: 8, data: new Uint8Array([1, 0, 2, 0]) }]);
    const longer = new Uint8Array([...pdu, 0xaa, 0xbb]);
    expect(kinds(d, longer)).toEqual(["bad-length"]);
    const lying = pdu.slice();
    lying[4] = 0xff; // update size 255, PDU has 4
    expect(kinds(d, lying)).toEqual(["bad-length"]);
    expect(kinds(d, new Uint8Array([0x00, 0x01]))).toEqual(["bad-length"]);
    expect(kinds(d, new Uint8Array([0x00]))).toEqual(["truncated"]);
    expect(kinds(d, new Uint8Array([0x80, 0x05, 0, 0, 0]))).toEqual(["encrypted"]);
    expect(d.rgba).toEqual(reference);
  });

  test("bulk-compressed updates are refused by name, uncompressed ones with a flags byte are fine", () => {
    const d = decoderWithFirstFrame();
    const r = d.apply(fastPathPdu([{ code: 4, compressed: true, data: smallFrame }]));
    expect(r.problems.map((p) => p.kind)).toEqual(["bulk-compressed"]);
    expect(r.problems[0]!.message).toContain("bulk-compressed");
    expect(d.rgba).toEqual(reference);
    const ok = d.apply(fastPathPdu([{ code: 4, compressed: false, data: smallFrame }]));
    expect(ok.problems).toEqual([]);
    expect(ok.dirty.length).toBeGreaterThan(0);
  });

  test("a compressed fragment drops the whole fragmented update, quietly skipping the rest of it", () => {
    const d = createRdpDecoder(1280, 720);
    const frags = fragmentedPdus(4, firstFrame);
    const damaged = frags.map((p, i) => (i === 1 ? fastPathPdu([{ code: 4, fragmentation: 3, compressed: true, data: firstFrame.subarray(16000, 32000) }]) : p));
    const found = damaged.flatMap((p) => kinds(d, p));
    expect(found).toEqual(["bulk-compressed"]);
    expect(d.rgba.every((v, i) => (i & 3) === 3 ? v === 255 : v === 0)).toBe(true);
    // The next frame decodes.
    for (const p of frags) expect(kinds(d, p)).toEqual([]);
    expect(d.rgba).toEqual(reference);
  });
});

describe("fragments", () => {
  test("FIRST/NEXT/LAST in separate PDUs and in one PDU both reassemble", () => {
    const d = createRdpDecoder(1280, 720);
    for (const p of fragmentedPdus(4, firstFrame, 9000)) expect(kinds(d, p)).toEqual([]);
    expect(d.rgba).toEqual(reference);
    const e = createRdpDecoder(1280, 720);
    const part = smallFrame.length >> 1;
    const one = fastPathPdu([
      { code: 4, fragmentation: 2, data: smallFrame.subarray(0, 100) },
      { code: 4, fragmentation: 3, data: smallFrame.subarray(100, part) },
      { code: 4, fragmentation: 1, data: smallFrame.subarray(part) },
    ]);
    const r = e.apply(one);
    expect(r.problems).toEqual([]);
    expect(r.dirty.length).toBeGreaterThan(0);
  });

  test("a reassembly over the bound is dropped and counted, the next update decodes", () => {
    const d = createRdpDecoder(1280, 720, { fragments: { maxBytes: 100_000 } });
    const found = fragmentedPdus(4, firstFrame).flatMap((p) => kinds(d, p));
    expect(found).toEqual(["fragment-too-large"]);
    expect(d.stats.problems["fragment-too-large"]).toBe(1);
    expect(kinds(d, fastPathPdu([{ code: 4, data: smallFrame }]))).toEqual([]);
    const few = createRdpDecoder(1280, 720, { fragments: { maxFragments: 3 } });
    expect(fragmentedPdus(4, firstFrame).flatMap((p) => kinds(few, p))).toEqual(["fragment-too-large"]);
  });

  test("broken sequences: NEXT without FIRST, a FIRST inside another, a whole update inside one", () => {
    const d = createRdpDecoder(1280, 720);
    const frags = fragmentedPdus(4, firstFrame);
    expect(kinds(d, frags[1]!)).toEqual(["fragment-sequence"]);
    expect(kinds(d, frags[frags.length - 1]!)).toEqual([]); // the rest of that update is skipped quietly
    expect(kinds(d, frags[0]!)).toEqual([]);
    expect(kinds(d, frags[0]!)).toEqual(["fragment-sequence"]);
    expect(kinds(d, fastPathPdu([{ code: 8, data: new Uint8Array(4) }]))).toEqual(["fragment-sequence"]);
    for (const p of frags) expect(kinds(d, p)).toEqual([]);
    expect(d.rgba).toEqual(reference);
  });
});

describe("RemoteFX", () => {
  function damagedFrame(edit: (copy: Uint8Array, view: DataView) => void): Uint8Array[] {
    const copy = firstFrame.slice();
    edit(copy, new DataView(copy.buffer));
    return fragmentedPdus(4, copy);
  }

  function applyAll(d: RdpGraphicsDecoder, pdus: Uint8Array[]): string[] {
    return pdus.flatMap((p) => kinds(d, p));
  }

  test("an RLGR stream that overruns its tile: that tile is skipped, the other 239 drawn", () => {
    const tile = layout.tiles[5]!;
    const d = createRdpDecoder(1280, 720);
    // Claim far fewer Y bytes than the tile's coefficients need (the rest becomes Cb's data).
    const found = applyAll(d, damagedFrame((_, v) => v.setUint16(tile + 13, 3, true)));
    expect(found).toEqual(["rlgr-overrun"]);
    let same = 0;
    for (let i = 0; i < reference.length; i++) if (d.rgba[i] === reference[i]) same++;
    expect(same / reference.length).toBeGreaterThan(0.99);
    expect(d.stats.rfxTiles).toBe(240);
  });

  test("quantisation index and tile index out of range, region rectangles outside the screen", () => {
    const d = decoderWithFirstFrame();
    const tiles = layout.tiles;
    expect(applyAll(d, damagedFrame((c) => (c[tiles[0]! + 7] = 9)))).toEqual(["quant-index"]);
    expect(applyAll(d, damagedFrame((_, v) => v.setUint16(tiles[1]! + 9, 500, true)))).toEqual(["tile-out-of-range"]);
    const region = layout.blocks.get(0xccc6)!;
    expect(applyAll(d, damagedFrame((_, v) => v.setUint16(region + 15, 5000, true)))).toEqual(["rect-outside-screen"]);
    expect(d.rgba).toEqual(reference);
  });

  test("a tile whose component lengths exceed it, a block that lies about its length, an unknown entropy", () => {
    const d = decoderWithFirstFrame();
    expect(applyAll(d, damagedFrame((_, v) => v.setUint16(layout.tiles[3]! + 13, 60000, true)))).toEqual(["truncated"]);
    expect(applyAll(d, damagedFrame((_, v) => v.setUint32(layout.blocks.get(0xccc7)! + 2, 0x7fffffff, true)))).toEqual(["truncated"]);
    expect(applyAll(d, damagedFrame((_, v) => v.setUint16(layout.blocks.get(0xccc3)! + 11, 0x0e00, true)))).toEqual(["rfx-invalid"]);
    expect(d.rgba).toEqual(reference);
  });

  test("tiles drawn before a structural error stay drawn and are reported dirty", () => {
    const d = createRdpDecoder(1280, 720);
    // Tile 100 claims more bytes than the tileset has: tiles 0–99 are drawn, then the message stops.
    const pdus = damagedFrame((_, v) => v.setUint32(layout.tiles[100]! + 2, 0x7fffffff, true));
    const dirty = pdus.flatMap((p) => {
      const r = d.apply(p);
      if (r.problems.length) expect(r.problems.map((x) => x.kind)).toEqual(["truncated"]);
      return r.dirty;
    });
    expect(dirty.length).toBe(100);
    for (const rect of dirty) {
      for (let y = rect.top; y < rect.bottom; y++) {
        const at = (y * 1280 + rect.left) * 4;
        expect(d.rgba.subarray(at, at + (rect.right - rect.left) * 4)).toEqual(reference.subarray(at, at + (rect.right - rect.left) * 4));
      }
    }
  });

  test("a codec that is not RemoteFX is named; uncompressed surface bits (codec 0) draw", () => {
    const d = decoderWithFirstFrame();
    const cmd = (codec: number, bitmap: Uint8Array, w: number, h: number, x = 10, y = 20) => {
      const head = new Uint8Array(22);
      const v = new DataView(head.buffer);
      v.setUint16(0, 6, true);
      v.setUint16(2, x, true);
      v.setUint16(4, y, true);
      v.setUint16(6, x + w, true);
      v.setUint16(8, y + h, true);
      head[10] = 32;
      head[13] = codec;
      v.setUint16(14, w, true);
      v.setUint16(16, h, true);
      v.setUint32(18, bitmap.length, true);
      return new Uint8Array([...head, ...bitmap]);
    };
    expect(kinds(d, fastPathPdu([{ code: 4, data: cmd(9, new Uint8Array(64), 4, 4) }]))).toEqual(["unsupported-codec"]);
    const bgrx = new Uint8Array(2 * 2 * 4).fill(0);
    bgrx.set([1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 10, 11, 12, 0]);
    const r = d.apply(fastPathPdu([{ code: 4, data: cmd(0, bgrx, 2, 2) }]));
    expect(r.problems).toEqual([]);
    expect(r.dirty).toEqual([{ left: 10, top: 20, right: 12, bottom: 22 }]);
    const at = (x: number, y: number) => [...d.rgba.subarray((y * 1280 + x) * 4, (y * 1280 + x) * 4 + 4)];
    expect([at(10, 20), at(11, 20), at(10, 21), at(11, 21)]).toEqual([[3, 2, 1, 255], [6, 5, 4, 255], [9, 8, 7, 255], [12, 11, 10, 255]]);
    expect(kinds(d, fastPathPdu([{ code: 4, data: cmd(0, bgrx, 2, 2, 2000, 10) }]))).toEqual(["rect-outside-screen"]);
    expect(kinds(d, fastPathPdu([{ code: 4, data: cmd(0, bgrx.subarray(0, 8), 2, 2) }]))).toEqual(["truncated"]);
  });
});

describe("other updates", () => {
  test("orders are unsupported, synchronize is ignored, bitmaps go to the bitmap decoder, unknown codes are named", () => {
    const d = decoderWithFirstFrame();
    expect(kinds(d, fastPathPdu([{ code: 0, data: new Uint8Array([1, 0]) }]))).toEqual(["unsupported"]);
    expect(kinds(d, fastPathPdu([{ code: 3, data: new Uint8Array(0) }]))).toEqual([]);
    expect(kinds(d, fastPathPdu([{ code: 13, data: new Uint8Array(2) }]))).toEqual(["unsupported"]);
    // A bitmap update announcing a rectangle it does not carry: the bitmap decoder's problem, counted here.
    const bitmap = d.apply(fastPathPdu([{ code: 1, data: new Uint8Array([1, 0, 1, 0]) }]));
    expect(bitmap.problems.length).toBe(1);
    expect(d.stats.problems[bitmap.problems[0]!.kind]).toBe(1);
    expect(kinds(d, fastPathPdu([{ code: 2, data: new Uint8Array([2, 0, 0, 0, 0, 1, 0, 0]) }]))).toEqual(["truncated"]);
    expect(kinds(d, fastPathPdu([{ code: 2, data: new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0]) }]))).toEqual(["palette-invalid"]);
    expect(d.rgba).toEqual(reference);
  });

  test("problems per call are capped; the counts keep going", () => {
    const d = createRdpDecoder(64, 64);
    const bad = fastPathPdu(Array.from({ length: 100 }, () => ({ code: 0, data: new Uint8Array(1) })));
    const r = d.apply(bad);
    expect(r.problems.length).toBe(64);
    expect(d.stats.problems.unsupported).toBe(100);
    expect(d.stats.problemsDropped).toBe(36);
  });

  test("an absurd screen size is refused when the decoder is made", () => {
    expect(() => createRdpDecoder(0, 10)).toThrow(RangeError);
    expect(() => createRdpDecoder(100_000, 10)).toThrow(RangeError);
  });
});
