// TS_UPDATE_BITMAP_DATA as a whole (and through the decoder, with palette updates): rectangles (uncompressed at every depth, RLE with and without the
// compression header, planar) placed and clipped on the screen, and bad updates refused before anything is drawn.
import { describe, expect, test } from "bun:test";
import { applyBitmapUpdate } from "../../src/rdp/bitmap";
import { createRdpDecoder } from "../../src/rdp/decoder";
import { fastPathPdu, kindOf, le16 } from "./build";

interface Rect {
  left: number;
  top: number;
  right: number; // inclusive, as on the wire
  bottom: number;
  width: number;
  height: number;
  bpp: number;
  flags: number;
  data: number[];
  /** Overrides bitmapLength (to make it lie). */
  length?: number;
}

function update(rects: Rect[], updateType = 1): Uint8Array {
  const out = [...le16(updateType), ...le16(rects.length)];
  for (const r of rects) {
    out.push(...[r.left, r.top, r.right, r.bottom, r.width, r.height, r.bpp, r.flags, r.length ?? r.data.length].flatMap(le16));
    out.push(...r.data);
  }
  return new Uint8Array(out);
}

function screen(width: number, height: number) {
  return { width, height, rgba: new Uint8Array(width * height * 4) };
}

function pixel(s: ReturnType<typeof screen>, x: number, y: number): number[] {
  const i = (y * s.width + x) * 4;
  return [...s.rgba.subarray(i, i + 4)];
}

const rect = (r: Partial<Rect> & Pick<Rect, "data" | "bpp" | "width" | "height">): Rect => ({
  left: 0,
  top: 0,
  right: r.width - 1,
  bottom: r.height - 1,
  flags: 0,
  ...r,
});

describe("uncompressed rectangles", () => {
  test("32 bpp BGRX, bottom-up rows", () => {
    const s = screen(4, 4);
    const dirty = applyBitmapUpdate(
      update([rect({ left: 1, top: 1, right: 2, bottom: 2, width: 2, height: 2, bpp: 32, data: [
        3, 2, 1, 0, 6, 5, 4, 0, // bottom row: (1,2,3) (4,5,6)
        9, 8, 7, 0, 12, 11, 10, 0, // top row
      ] })]),
      s,
      null,
    );
    expect(dirty).toEqual([{ left: 1, top: 1, right: 3, bottom: 3 }]);
    expect(pixel(s, 1, 1)).toEqual([7, 8, 9, 255]);
    expect(pixel(s, 2, 1)).toEqual([10, 11, 12, 255]);
    expect(pixel(s, 1, 2)).toEqual([1, 2, 3, 255]);
    expect(pixel(s, 0, 0)).toEqual([0, 0, 0, 0]); // untouched
  });

  test("24 bpp BGR, 16 bpp RGB565, 15 bpp RGB555, 8 bpp through the palette", () => {
    const s = screen(4, 1);
    const palette = new Uint8Array(768);
    palette.set([0x11, 0x22, 0x33], 5 * 3);
    applyBitmapUpdate(
      update([
        rect({ width: 4, height: 1, right: 0, bpp: 24, data: [0x30, 0x20, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0] }),
        rect({ left: 1, right: 1, width: 2, height: 1, bpp: 16, data: [...le16(0xf800), ...le16(0x07e0)] }),
        rect({ left: 2, right: 2, width: 2, height: 1, bpp: 15, data: [...le16(0x001f), 0, 0] }),
        rect({ left: 3, right: 3, width: 4, height: 1, bpp: 8, data: [5, 0, 0, 0] }),
      ]),
      s,
      palette,
    );
    expect(pixel(s, 0, 0)).toEqual([0x10, 0x20, 0x30, 255]);
    expect(pixel(s, 1, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(s, 2, 0)).toEqual([0, 0, 255, 255]);
    expect(pixel(s, 3, 0)).toEqual([0x11, 0x22, 0x33, 255]);
  });

  test("rows are padded to 4 bytes", () => {
    const s = screen(1, 2);
    // 1 pixel wide at 16 bpp: 2 bytes + 2 padding per row
    applyBitmapUpdate(update([rect({ width: 1, height: 2, bpp: 16, data: [...le16(0xffff), 0, 0, ...le16(0), 0, 0] })]), s, null);
    expect(pixel(s, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(s, 0, 1)).toEqual([255, 255, 255, 255]);
  });
});

describe("compressed rectangles", () => {
  test("interleaved RLE with the TS_CD_HEADER (flags 0x0001) and without it (0x0401)", () => {
    const s = screen(4, 1);
    const body = [0x64, 0x00, 0xf8]; // colour run of 4 at 16 bpp, pure red
    const cdHeader = [...le16(0), ...le16(body.length), ...le16(8), ...le16(8)];
    applyBitmapUpdate(update([rect({ width: 4, height: 1, bpp: 16, flags: 0x0001, data: [...cdHeader, ...body] })]), s, null);
    expect(pixel(s, 3, 0)).toEqual([255, 0, 0, 255]);
    applyBitmapUpdate(update([rect({ width: 4, height: 1, bpp: 16, flags: 0x0401, data: [0x64, 0xe0, 0x07] })]), s, null);
    expect(pixel(s, 3, 0)).toEqual([0, 255, 0, 255]);
  });

  test("8 bpp RLE goes through the palette; 32 bpp compressed is planar", () => {
    const s = screen(2, 1);
    const palette = new Uint8Array(768);
    palette.set([1, 2, 3], 9 * 3);
    applyBitmapUpdate(update([rect({ width: 2, height: 1, bpp: 8, flags: 0x0401, data: [0x62, 9] })]), s, palette);
    expect(pixel(s, 1, 0)).toEqual([1, 2, 3, 255]);
    applyBitmapUpdate(update([rect({ width: 2, height: 1, bpp: 32, flags: 0x0401, data: [0x20, 7, 7, 8, 8, 9, 9] })]), s, null);
    expect(pixel(s, 0, 0)).toEqual([7, 8, 9, 255]);
  });

  test("only the destination rectangle of a padded bitmap is drawn, clipped to the screen", () => {
    const s = screen(3, 2);
    // a 4x2 bitmap (width padded) whose dest is (1,1)-(3,1): 3 wide, 1 high, and the screen ends at x=2, y=1
    const dirty = applyBitmapUpdate(
      update([rect({ left: 1, top: 1, right: 3, bottom: 1, width: 4, height: 2, bpp: 16, flags: 0x0401, data: [0x68, ...le16(0xffff)] })]),
      s,
      null,
    );
    expect(dirty).toEqual([{ left: 1, top: 1, right: 3, bottom: 2 }]);
    expect(pixel(s, 1, 1)).toEqual([255, 255, 255, 255]);
    expect(pixel(s, 2, 1)).toEqual([255, 255, 255, 255]);
    expect(pixel(s, 1, 0)).toEqual([0, 0, 0, 0]);
  });
});

describe("bad bitmap updates", () => {
  const good = rect({ width: 1, height: 1, bpp: 32, data: [1, 2, 3, 0] });

  test("each lie has its own kind", () => {
    const s = screen(8, 8);
    expect(kindOf(() => applyBitmapUpdate(new Uint8Array([1, 0]), s, null))).toBe("truncated");
    expect(kindOf(() => applyBitmapUpdate(update([good], 2), s, null))).toBe("bad-bitmap-update");
    expect(kindOf(() => applyBitmapUpdate(update([good]).subarray(0, 10), s, null))).toBe("truncated");
    expect(kindOf(() => applyBitmapUpdate(update([{ ...good, length: 400 }]), s, null))).toBe("bad-length");
    expect(kindOf(() => applyBitmapUpdate(update([{ ...good, left: 8, right: 8 }]), s, null))).toBe("rect-outside-screen");
    expect(kindOf(() => applyBitmapUpdate(update([{ ...good, left: 3, right: 2 }]), s, null))).toBe("bad-rect");
    expect(kindOf(() => applyBitmapUpdate(update([{ ...good, bpp: 12 }]), s, null))).toBe("bad-bpp");
    expect(kindOf(() => applyBitmapUpdate(update([{ ...good, width: 9000 }]), s, null))).toBe("bitmap-too-large");
    expect(kindOf(() => applyBitmapUpdate(update([{ ...good, data: [1, 2] }]), s, null))).toBe("truncated");
    const cd = rect({ width: 1, height: 1, bpp: 16, flags: 1, data: [0, 0, 50, 0, 0, 0, 0, 0, 0xfd] });
    expect(kindOf(() => applyBitmapUpdate(update([cd]), s, null))).toBe("bad-length");
  });

  test("rectangles that together decode to far more than the screen are refused before decoding", () => {
    const s = screen(16, 16);
    const big = rect({ width: 64, height: 64, bpp: 16, flags: 0x0401, data: [0xfd] });
    expect(kindOf(() => applyBitmapUpdate(update([big, big]), s, null))).toBe("bitmap-too-large");
  });

  test("a bad rectangle anywhere leaves the screen as it was", () => {
    const s = screen(4, 4);
    const bad = rect({ width: 4, height: 1, bpp: 16, flags: 0x0401, data: [0x65, 0, 0] }); // run of 5 in 4 pixels
    expect(kindOf(() => applyBitmapUpdate(update([good, bad]), s, null))).toBe("rle-overrun");
    expect(s.rgba.every((b) => b === 0)).toBe(true);
  });
});

describe("bitmap updates through the decoder", () => {
  // TS_UPDATE_PALETTE_DATA: updateType 2, pad, numberColors u32, then RGB triples
  const paletteUpdate = (colours: number[][]) =>
    new Uint8Array([2, 0, 0, 0, colours.length & 0xff, colours.length >> 8, 0, 0, ...colours.flat()]);

  test("an 8 bpp session: the palette update colours later bitmaps, a new palette recolours new ones", () => {
    const decoder = createRdpDecoder(4, 2);
    const palette1 = Array.from({ length: 256 }, (_, i) => [i, 0, 0]);
    palette1[7] = [10, 20, 30];
    const rle = update([rect({ width: 4, height: 2, bpp: 8, flags: 0x0401, data: [0x68, 7] })]); // colour run of 8
    let r = decoder.apply(fastPathPdu([{ code: 2, data: paletteUpdate(palette1) }, { code: 1, data: rle }]));
    expect(r.problems).toEqual([]);
    expect(r.dirty).toEqual([{ left: 0, top: 0, right: 4, bottom: 2 }]);
    expect([...decoder.rgba.subarray(0, 4)]).toEqual([10, 20, 30, 255]);
    const palette2 = palette1.map(() => [200, 100, 50]);
    r = decoder.apply(fastPathPdu([{ code: 2, data: paletteUpdate(palette2) }]));
    expect(r.dirty).toEqual([]); // a palette alone does not redraw what is on screen
    expect([...decoder.rgba.subarray(28, 32)]).toEqual([10, 20, 30, 255]);
    r = decoder.apply(fastPathPdu([{ code: 1, data: update([rect({ left: 3, right: 3, width: 4, height: 1, bpp: 8, data: [7, 0, 0, 0] })]) }]));
    expect([...decoder.rgba.subarray(12, 16)]).toEqual([200, 100, 50, 255]);
    expect([...decoder.rgba.subarray(0, 4)]).toEqual([10, 20, 30, 255]);
  });

  test("a bad bitmap update is a counted problem; the next update still draws", () => {
    const decoder = createRdpDecoder(4, 4);
    const bad = update([rect({ width: 4, height: 1, bpp: 16, flags: 0x0401, data: [0x65, 0, 0] })]);
    let r = decoder.apply(fastPathPdu([{ code: 1, data: bad }]));
    expect(r.problems.map((p) => p.kind)).toEqual(["rle-overrun"]);
    expect(r.dirty).toEqual([]);
    r = decoder.apply(fastPathPdu([{ code: 1, data: update([rect({ width: 1, height: 1, bpp: 32, data: [1, 2, 3, 0] })]) }]));
    expect(r.problems).toEqual([]);
    expect([...decoder.rgba.subarray(0, 4)]).toEqual([3, 2, 1, 255]);
    expect(decoder.stats.problems).toEqual({ "rle-overrun": 1 });
  });
});
