// PNG encoding of one tile cut from an RGBA frame. Two encoders: a lean one (8-bit RGB, no row
// filter, zlib level 3: fast and lossless, what a gateway under load would do) and Skia's, through
// a reused 64x64 canvas. Both produce standard PNGs whose size is the tile's.
import { createCanvas, ImageData, type Canvas } from "@napi-rs/canvas";
import { deflateSync } from "node:zlib";
import { crc32 } from "../../src/png/crc32.ts";

export type PngEncoderKind = "zlib" | "canvas";

export interface TileRegion {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type TilePngEncoder = (pixels: Uint8ClampedArray | Uint8Array, frameWidth: number, tile: TileRegion) => Uint8Array;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const IHDR = ascii("IHDR");
const IDAT = ascii("IDAT");
const IEND = ascii("IEND");

function writeChunk(out: Uint8Array, view: DataView, at: number, type: Uint8Array, data: Uint8Array): number {
  view.setUint32(at, data.length);
  out.set(type, at + 4);
  out.set(data, at + 8);
  const crc = crc32(data, crc32(type));
  view.setUint32(at + 8 + data.length, crc);
  return at + 12 + data.length;
}

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
  const idat = deflateSync(raw, { level });
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, w);
  hv.setUint32(4, h);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type RGB; compression, filter and interlace methods stay 0
  const png = new Uint8Array(8 + 25 + 12 + idat.length + 12);
  const view = new DataView(png.buffer);
  png.set(SIGNATURE, 0);
  let at = writeChunk(png, view, 8, IHDR, header);
  at = writeChunk(png, view, at, IDAT, idat);
  writeChunk(png, view, at, IEND, new Uint8Array(0));
  return png;
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
