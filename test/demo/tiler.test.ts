import { describe, expect, test } from "bun:test";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { decodeMessage, pngInfo, validateTile } from "../../src/tdp/codec.ts";
import { MessageType, tileRect } from "../../src/tdp/messages.ts";
import { canvasTileEncoder, encodeTileZlib } from "../../tools/demo/pngTile.ts";
import { Tiler, tileGrid } from "../../tools/demo/tiler.ts";
import type { Frame } from "../../tools/demo/scene.ts";

/** A frame with a different colour per pixel, so any misplaced pixel shows. */
function patterned(width: number, height: number, salt = 0): Frame {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, p = 0; p < width * height; p++, i += 4) {
    pixels[i] = (p * 7 + salt) & 0xff;
    pixels[i + 1] = (p >> 3) & 0xff;
    pixels[i + 2] = (p * 13) & 0xff;
    pixels[i + 3] = 255;
  }
  return { width, height, pixels };
}

function withPixel(frame: Frame, x: number, y: number): Frame {
  const pixels = frame.pixels.slice();
  pixels[(y * frame.width + x) * 4] ^= 0x01;
  return { ...frame, pixels };
}

const rects = (messages: Uint8Array[]) =>
  messages.map((data) => {
    const m = decodeMessage(data);
    if (m.type !== MessageType.PNGFrame && m.type !== MessageType.PNG2Frame) throw new Error(`not a tile: ${m.type}`);
    validateTile(m);
    return tileRect(m);
  });

async function decodePng(png: Uint8Array, w: number, h: number): Promise<Uint8ClampedArray> {
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(w, h);
  canvas.getContext("2d").drawImage(image, 0, 0);
  return canvas.getContext("2d").getImageData(0, 0, w, h).data;
}

describe("tile grid and change detection", () => {
  test("a 64x64 grid anchored at (0,0) with clipped edge tiles", () => {
    const grid = tileGrid(130, 70);
    expect(grid).toEqual([
      { x: 0, y: 0, w: 64, h: 64 }, { x: 64, y: 0, w: 64, h: 64 }, { x: 128, y: 0, w: 2, h: 64 },
      { x: 0, y: 64, w: 64, h: 6 }, { x: 64, y: 64, w: 64, h: 6 }, { x: 128, y: 64, w: 2, h: 6 },
    ]);
  });

  test("first frame: every tile; same frame again: none; one changed pixel: exactly its tile", () => {
    const tiler = new Tiler({ seed: 1 });
    const a = patterned(130, 70);
    expect(rects(tiler.tiles(a)).length).toBe(6);
    expect(tiler.tiles({ ...a, pixels: a.pixels.slice() })).toEqual([]);
    const b = withPixel(a, 129, 69);
    expect(rects(tiler.tiles(b))).toEqual([{ left: 128, top: 64, right: 130, bottom: 70 }]);
    const c = withPixel(withPixel(b, 63, 0), 64, 63);
    expect(rects(tiler.tiles(c))).toEqual([{ left: 0, top: 0, right: 64, bottom: 64 }, { left: 64, top: 0, right: 128, bottom: 64 }]);
  });

  test("a new size or a reset sends the whole screen again", () => {
    const tiler = new Tiler({ seed: 1 });
    tiler.tiles(patterned(130, 70));
    expect(rects(tiler.tiles(patterned(192, 128))).length).toBe(6);
    expect(tiler.tiles(patterned(192, 128))).toEqual([]);
    tiler.reset();
    expect(rects(tiler.tiles(patterned(192, 128))).length).toBe(6);
  });

  test("type 27 carries inclusive right/bottom on the wire; the share of type 27 is configurable", () => {
    const all27 = new Tiler({ seed: 3, png2Share: 1 }).tiles(patterned(130, 70));
    const m = decodeMessage(all27[2]);
    expect(m.type).toBe(MessageType.PNG2Frame);
    if (m.type === MessageType.PNG2Frame) expect([m.left, m.top, m.right, m.bottom]).toEqual([128, 0, 129, 63]);
    const all2 = new Tiler({ seed: 3, png2Share: 0 }).tiles(patterned(130, 70));
    const n = decodeMessage(all2[2]);
    expect(n.type).toBe(MessageType.PNGFrame);
    if (n.type === MessageType.PNGFrame) expect([n.left, n.top, n.right, n.bottom]).toEqual([128, 0, 130, 64]);
    const mixed = new Tiler({ seed: 3 }).tiles(patterned(1280, 640));
    const share = mixed.filter((d) => d[0] === MessageType.PNG2Frame).length / mixed.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });
});

describe("tile PNG encoders", () => {
  for (const [name, encode] of [["zlib", encodeTileZlib], ["canvas", canvasTileEncoder()]] as const) {
    test(`${name}: the PNG decodes to exactly the tile's pixels`, async () => {
      const frame = patterned(130, 70, 5);
      for (const tile of [{ x: 64, y: 0, w: 64, h: 64 }, { x: 128, y: 64, w: 2, h: 6 }]) {
        const png = encode(frame.pixels, frame.width, tile);
        expect(pngInfo(png)).toMatchObject({ width: tile.w, height: tile.h, bitDepth: 8 });
        const decoded = await decodePng(png, tile.w, tile.h);
        for (let y = 0; y < tile.h; y++) {
          for (let x = 0; x < tile.w; x++) {
            const src = ((tile.y + y) * frame.width + tile.x + x) * 4;
            const dst = (y * tile.w + x) * 4;
            expect([decoded[dst], decoded[dst + 1], decoded[dst + 2]]).toEqual([frame.pixels[src], frame.pixels[src + 1], frame.pixels[src + 2]]);
          }
        }
      }
    });
  }
});
