// PNG encoding of one tile cut from an RGBA frame. Two encoders: a lean one (8-bit RGB, no row
// filter, zlib level 3: fast and lossless, what a gateway under load would do) and Skia's, through
// a reused 64x64 canvas. Both produce standard PNGs whose size is the tile's.
import { createCanvas, ImageData, type Canvas } from "@napi-rs/canvas";
import { pngFromScanlines } from "../../src/png/write.ts";

export type PngEncoderKind = "zlib" | "canvas";

export interface TileRegion {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type TilePngEncoder = (pixels: Uint8ClampedArray | Uint8Array, frameWidth: number, tile: TileRegion) => Uint8Array;

/**
 * 8-bit RGB PNG of the tile, rows unfiltered: flat UI colours and text repeat exactly, which
 * deflate finds on its own (smaller and faster than Sub/Up filters on desktop content).
 */
export function encodeTileZlib(pixels: Uint8ClampedArray | Uint8Array, frameWidth: number, tile: TileRegion, level = 3): Uint8Array {
  const { x, y, w, h } = tile;
  const rowBytes = 1 + w * 3;
  const raw = new Uint8Array(h * rowBytes); // filter byte 0 (None) at the start of each row
  for (let row = 0; row < h; row++) {
    let src = ((y + row) * frameWidth + x) * 4;
    for (let o = row * rowBytes + 1, end = o + w * 3; o < end; o += 3, src += 4) {
      raw[o] = pixels[src];
      raw[o + 1] = pixels[src + 1];
      raw[o + 2] = pixels[src + 2];
    }
  }
  return pngFromScanlines({ width: w, height: h, bitDepth: 8, colorType: 2 }, raw, level);
}

/** Skia's PNG encoder, through one canvas per tile size that is kept for reuse. */
export function canvasTileEncoder(): TilePngEncoder {
  const canvases = new Map<string, Canvas>();
  return (pixels, frameWidth, { x, y, w, h }) => {
    const key = `${w}x${h}`;
    let canvas = canvases.get(key);
    if (canvas === undefined) {
      canvas = createCanvas(w, h);
      canvases.set(key, canvas);
    }
    const rows = new Uint8ClampedArray(w * h * 4);
    for (let row = 0; row < h; row++) {
      const src = ((y + row) * frameWidth + x) * 4;
      rows.set(pixels.subarray(src, src + w * 4), row * w * 4);
    }
    canvas.getContext("2d").putImageData(new ImageData(rows, w, h), 0, 0);
    return new Uint8Array(canvas.encodeSync("png"));
  };
}

export function tileEncoder(kind: PngEncoderKind): TilePngEncoder {
  return kind === "canvas" ? canvasTileEncoder() : (pixels, frameWidth, tile) => encodeTileZlib(pixels, frameWidth, tile);
}
