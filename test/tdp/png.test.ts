import { loadImage } from "@napi-rs/canvas";
import { describe, expect, test } from "bun:test";
import { pngInfo, TdpDecodeError, validateTile } from "../../src/tdp/codec.ts";
import { MessageType as T, tileRect, type PNG2Frame, type PNGFrame } from "../../src/tdp/messages.ts";
import { corpusTiles } from "./corpus.ts";
import { thrown, TINY_PNG } from "./fixtures.ts";

const tiles = corpusTiles();
const square = tiles.find((m) => m.type === T.PNGFrame && m.right - m.left === 64 && m.bottom - m.top === 64) as PNGFrame;

const rejects = (fn: () => unknown) => thrown(TdpDecodeError, fn);

/** A copy of `png` whose IHDR says width x height, with a correct CRC so only the size is wrong. */
function withIhdrSize(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = png.slice();
  const view = new DataView(out.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, Bun.hash.crc32(out.subarray(12, 29)));
  return out;
}

describe("pngInfo", () => {
  test("reads the IHDR of a hand-built 2x1 RGB PNG", () => {
    expect(pngInfo(TINY_PNG)).toEqual({ width: 2, height: 1, bitDepth: 8, colorType: 2 });
  });

  test("agrees with a real PNG decoder on corpus tiles", async () => {
    for (const m of tiles.filter((_, i) => i % 97 === 0)) {
      const image = await loadImage(Buffer.from(m.png));
      const info = pngInfo(m.png);
      expect([info.width, info.height]).toEqual([image.width, image.height]);
    }
  });

  test("rejects a missing signature, a short buffer, a bad CRC and a zero size", () => {
    const noSig = TINY_PNG.slice();
    noSig[1] = 0x51;
    expect([rejects(() => pngInfo(noSig)).offset, rejects(() => pngInfo(noSig)).messageType]).toEqual([1, null]);
    expect(rejects(() => pngInfo(TINY_PNG.subarray(0, 32))).reason).toContain("too short");
    const badCrc = TINY_PNG.slice();
    badCrc[17] ^= 1;
    expect(rejects(() => pngInfo(badCrc)).reason).toBe("IHDR CRC mismatch");
    expect(rejects(() => pngInfo(withIhdrSize(TINY_PNG, 0, 1))).reason).toContain("0x1 is invalid");
  });

  test("rejects a first chunk that is not IHDR", () => {
    const notIhdr = TINY_PNG.slice();
    notIhdr[12] = 0x69; // "iHDR"
    expect(rejects(() => pngInfo(notIhdr)).offset).toBe(8);
  });
});

describe("validateTile", () => {
  test("every corpus tile passes, and its PNG size is its rectangle", () => {
    expect(tiles.length).toBeGreaterThan(0);
    for (const m of tiles) {
      validateTile(m);
      const r = tileRect(m);
      expect(pngInfo(m.png)).toMatchObject({ width: r.right - r.left, height: r.bottom - r.top });
    }
  });

  test("an IHDR saying 65x64 for a 64x64 rectangle fails", () => {
    const bomb = { ...square, png: withIhdrSize(square.png, 65, 64) };
    const err = rejects(() => validateTile(bomb));
    expect(err.messageType).toBe(T.PNGFrame);
    expect(err.offset).toBe(17 + 16);
    expect(err.reason).toBe("PNG is 65x64 but the tile rectangle is 64x64");
  });

  test("a huge IHDR (the PNG bomb) fails for type 27 with offsets after the 21-byte header", () => {
    const m: PNG2Frame = { ...square, type: T.PNG2Frame, right: square.right - 1, bottom: square.bottom - 1 };
    validateTile(m);
    const err = rejects(() => validateTile({ ...m, png: withIhdrSize(square.png, 100_000, 100_000) }));
    expect([err.messageType, err.offset]).toEqual([T.PNG2Frame, 21 + 16]);
  });

  test("exclusive vs inclusive: a 64x64 PNG with type-2 edges in a type-27 message is 65x65", () => {
    const m: PNG2Frame = { ...square, type: T.PNG2Frame };
    expect(rejects(() => validateTile(m)).reason).toBe("PNG is 64x64 but the tile rectangle is 65x65");
  });

  test("a rectangle larger than 8192 or empty fails before the PNG is looked at", () => {
    const wide: PNGFrame = { type: T.PNGFrame, left: 0, top: 0, right: 8193, bottom: 1, png: new Uint8Array() };
    expect(rejects(() => validateTile(wide)).reason).toContain("larger than 8192x8192");
    const empty: PNGFrame = { ...wide, right: 0 };
    expect(rejects(() => validateTile(empty)).offset).toBe(1);
  });

  test("a tile whose PNG has no signature fails at the PNG's offset", () => {
    const m: PNGFrame = { ...square, png: square.png.subarray(1) };
    expect(rejects(() => validateTile(m)).offset).toBe(17);
  });
});
