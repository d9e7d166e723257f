// The one PNG module: what it writes a real decoder (Skia) reads back pixel for pixel, and its header
// and structure checks reject what the format forbids.
import { describe, expect, test } from "bun:test";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { pngDecodeProblem } from "../../src/png/decode.ts";
import { crc32 } from "../../src/png/crc32.ts";
import { PngFormatError, readPngHeader } from "../../src/png/header.ts";
import { pngChunk, pngFromScanlines } from "../../src/png/write.ts";

/** 3x2 RGB scanlines (filter byte 0 each row) of distinct colours. */
function scanlines(): Uint8Array {
  const rows = new Uint8Array(2 * (1 + 9));
  for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) rows.set([x * 80, y * 200, 40 + x + y], y * 10 + 1 + x * 3);
  return rows;
}

function headerError(png: Uint8Array): PngFormatError {
  try {
    readPngHeader(png);
  } catch (err) {
    if (err instanceof PngFormatError) return err;
    throw err;
  }
  throw new Error("the header was accepted");
}

describe("src/png", () => {
  test("crc32 is the PNG CRC (check value of ISO-HDLC) and continues from a seed", () => {
    const text = new TextEncoder().encode("123456789");
    expect(crc32(text)).toBe(0xcbf43926);
    expect(crc32(text.subarray(4), crc32(text.subarray(0, 4)))).toBe(0xcbf43926);
  });

  test("pngFromScanlines writes a PNG Skia decodes to the same pixels, and that passes both checks", async () => {
    const png = pngFromScanlines({ width: 3, height: 2, bitDepth: 8, colorType: 2 }, scanlines());
    expect(readPngHeader(png)).toEqual({ width: 3, height: 2, bitDepth: 8, colorType: 2, interlace: 0 });
    expect(pngDecodeProblem(png)).toBeNull();
    const image = await loadImage(Buffer.from(png));
    const ctx = createCanvas(3, 2).getContext("2d");
    ctx.drawImage(image, 0, 0);
    const rgba = ctx.getImageData(0, 0, 3, 2).data;
    const want = scanlines();
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) {
        expect([...rgba.subarray((y * 3 + x) * 4, (y * 3 + x) * 4 + 3)]).toEqual([...want.subarray(y * 10 + 1 + x * 3, y * 10 + 4 + x * 3)]);
      }
    }
  });

  test("the header check names the problem and where it is", () => {
    const good = pngFromScanlines({ width: 3, height: 2, bitDepth: 8, colorType: 2 }, scanlines());
    expect(headerError(good.subarray(0, 20)).message).toContain("too short");
    const noSignature = good.slice();
    noSignature[3] = 0;
    expect([headerError(noSignature).message, headerError(noSignature).offset]).toEqual(["PNG signature missing", 3]);
    const badCrc = good.slice();
    badCrc[30] ^= 1;
    expect([headerError(badCrc).message, headerError(badCrc).offset]).toEqual(["IHDR CRC mismatch", 29]);
    // RGB at 4 bits is not a PNG the spec allows: caught without reading further.
    const fourBit = pngFromScanlines({ width: 3, height: 2, bitDepth: 4, colorType: 2 }, scanlines());
    expect([headerError(fourBit).message, headerError(fourBit).offset]).toEqual(["PNG bit depth 4 with colour type 2 is invalid", 24]);
    const zero = pngFromScanlines({ width: 0, height: 2, bitDepth: 8, colorType: 2 }, scanlines());
    expect(headerError(zero).message).toBe("PNG size 0x2 is invalid");
  });

  test("the full check catches what only a decode would: short or overlong pixel data, bad filters, missing chunks", () => {
    const header = { width: 3, height: 2, bitDepth: 8, colorType: 2 };
    expect(pngDecodeProblem(pngFromScanlines(header, scanlines().subarray(0, 15)))).toBe("IDAT holds 15 bytes, the image needs 20");
    const badFilter = scanlines();
    badFilter[10] = 7;
    expect(pngDecodeProblem(pngFromScanlines(header, badFilter))).toBe("row filter type 7 is invalid");
    const good = pngFromScanlines(header, scanlines());
    expect(pngDecodeProblem(good.subarray(0, good.length - 12))).toBe("no IEND (truncated PNG)");
    const palette = pngFromScanlines({ ...header, colorType: 3 }, new Uint8Array(2 * 4));
    expect(pngDecodeProblem(palette)).toBe("palette image without PLTE");
    const twoEnds = new Uint8Array([...good, ...pngChunk("IEND", new Uint8Array(0))]);
    expect(pngDecodeProblem(twoEnds)).toBe("bytes after IEND");
  });
});
