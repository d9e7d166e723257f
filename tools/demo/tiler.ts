// Turns successive screen frames into TDP tile messages the way an RDP-to-TDP gateway does: a
// fixed 64x64 grid anchored at (0,0), edge tiles clipped, a tile sent only if one of its pixels
// changed (all of them for the first frame and after a resize), each tile a PNG in a PNGFrame
// (type 2) or PNG2Frame (type 27, inclusive right/bottom), about 70/30.
import { encodeMessage } from "../../src/tdp/codec.ts";
import { MessageType } from "../../src/tdp/messages.ts";
import { tileEncoder, type PngEncoderKind, type TilePngEncoder, type TileRegion } from "./pngTile.ts";
import { Rng } from "./random.ts";
import type { Frame } from "./scene.ts";

export const TILE_SIZE = 64;

export interface TilerOptions {
  /** Seeds the PNGFrame/PNG2Frame choice. */
  seed: number;
  /** Share of tiles sent as PNG2Frame (type 27); default 0.3 as in the real capture. */
  png2Share?: number;
  encoder?: PngEncoderKind;
}

/** The grid cells of a width x height screen, row by row, edge cells clipped. */
export function tileGrid(width: number, height: number, size = TILE_SIZE): TileRegion[] {
  const tiles: TileRegion[] = [];
  for (let y = 0; y < height; y += size) {
    for (let x = 0; x < width; x += size) tiles.push({ x, y, w: Math.min(size, width - x), h: Math.min(size, height - y) });
  }
  return tiles;
}

/** Whether any pixel of `tile` differs between two RGBA frames of the same size. */
export function tileChanged(prev: Uint8ClampedArray | Uint8Array, next: Uint8ClampedArray | Uint8Array, width: number, tile: TileRegion): boolean {
  // Compare whole pixels as 32-bit words; both buffers are fresh from getImageData, so 4-byte aligned.
  const a = new Uint32Array(prev.buffer, prev.byteOffset, prev.byteLength >> 2);
  const b = new Uint32Array(next.buffer, next.byteOffset, next.byteLength >> 2);
  for (let row = 0; row < tile.h; row++) {
    const start = (tile.y + row) * width + tile.x;
    for (let i = start, end = start + tile.w; i < end; i++) if (a[i] !== b[i]) return true;
  }
  return false;
}

/** One tile as an encoded TDP message; right/bottom exclusive for type 2, inclusive for type 27. */
export function tileMessage(type: MessageType.PNGFrame | MessageType.PNG2Frame, tile: TileRegion, png: Uint8Array): Uint8Array {
  const { x, y, w, h } = tile;
  return type === MessageType.PNGFrame
    ? encodeMessage({ type, left: x, top: y, right: x + w, bottom: y + h, png })
    : encodeMessage({ type, left: x, top: y, right: x + w - 1, bottom: y + h - 1, png });
}

export class Tiler {
  private previous: Frame | null = null;
  private readonly rng: Rng;
  private readonly png2Share: number;
  private readonly encode: TilePngEncoder;
  /** Tiles and PNG bytes produced so far, for statistics. */
  tileCount = 0;
  pngBytes = 0;

  constructor(opts: TilerOptions) {
    this.rng = new Rng(opts.seed ^ 0x7117);
    this.png2Share = opts.png2Share ?? 0.3;
    this.encode = tileEncoder(opts.encoder ?? "zlib");
  }

  /** Forget the previous frame: the next one is sent whole. */
  reset(): void {
    this.previous = null;
  }

  /** Tile messages for what changed since the previous frame (everything if there is none or the size changed). */
  tiles(frame: Frame): Uint8Array[] {
    const prev = this.previous;
    const whole = prev === null || prev.width !== frame.width || prev.height !== frame.height;
    if (frame.pixels.length !== frame.width * frame.height * 4) {
      throw new RangeError(`frame of ${frame.pixels.length} bytes is not ${frame.width}x${frame.height} RGBA`);
    }
    const messages: Uint8Array[] = [];
    for (const tile of tileGrid(frame.width, frame.height)) {
      if (!whole && !tileChanged(prev.pixels, frame.pixels, frame.width, tile)) continue;
      const png = this.encode(frame.pixels, frame.width, tile);
      const type = this.rng.chance(this.png2Share) ? MessageType.PNG2Frame : MessageType.PNGFrame;
      messages.push(tileMessage(type, tile, png));
      this.tileCount++;
      this.pngBytes += png.length;
    }
    this.previous = frame;
    return messages;
  }
}
