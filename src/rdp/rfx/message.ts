// A RemoteFX message (MS-RDPRFX 2.2.2): the blocks of one SET/STREAM_SURF_BITS bitmap, parsed and drawn.
// Sync, codec versions, channels and context set up the codec; frame begin, region, tileset and frame end
// carry a frame. State that spans messages (entropy mode) lives in RfxDecoder.
import { RdpInputError } from "../errors";
import type { RdpProblem, RdpRect } from "../types";
import { RLGR1, RLGR3 } from "./rlgr";
import { type QuantValues, TileDecoder } from "./tile";

export const WBT_SYNC = 0xccc0;
export const WBT_CODEC_VERSIONS = 0xccc1;
export const WBT_CHANNELS = 0xccc2;
export const WBT_CONTEXT = 0xccc3;
export const WBT_FRAME_BEGIN = 0xccc4;
export const WBT_FRAME_END = 0xccc5;
export const WBT_REGION = 0xccc6;
export const WBT_EXTENSION = 0xccc7;
const CBT_REGION = 0xcac1;
const CBT_TILESET = 0xcac2;
const CBT_TILE = 0xcac3;
const SYNC_MAGIC = 0xcaccacca;
const TILE_HEADER = 19;

/** True when `data` starts like a RemoteFX message (a block type 0xCCC0–0xCCC7), whatever codecID it came with. */
export function looksLikeRemoteFx(data: Uint8Array): boolean {
  if (data.length < 6) return false;
  const type = data[0]! | (data[1]! << 8);
  return type >= WBT_SYNC && type <= WBT_EXTENSION;
}

export interface RfxScreen {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export class RfxDecoder {
  /** Entropy coder from the last WBT_CONTEXT (a tileset's own properties take precedence). */
  private mode = RLGR3;
  private readonly tiles = new TileDecoder();
  framesDecoded = 0;
  tilesDecoded = 0;

  /**
   * Draws one RemoteFX message whose surface origin is (`left`, `top`) on the screen, adding the changed areas to
   * `dirty` as it goes. Structural errors throw RdpInputError (what was drawn before stays, and is in `dirty`); a
   * bad tile is skipped and reported in `problems` while the other tiles are drawn.
   */
  apply(data: Uint8Array, left: number, top: number, screen: RfxScreen, problems: RdpProblem[], dirty: RdpRect[]): void {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let rects: RdpRect[] | null = null;
    for (let pos = 0; pos < data.length; ) {
      if (data.length - pos < 6) throw new RdpInputError("truncated", `RemoteFX: ${data.length - pos} stray bytes after the last block`);
      const type = view.getUint16(pos, true);
      const len = view.getUint32(pos + 2, true);
      if (len < 6 || len > data.length - pos) {
        throw new RdpInputError("truncated", `RemoteFX block 0x${type.toString(16)} claims ${len} bytes, ${data.length - pos} left`);
      }
      const block = new DataView(data.buffer, data.byteOffset + pos, len);
      switch (type) {
        case WBT_SYNC:
          need(len, 12, type);
          if (block.getUint32(6, true) !== SYNC_MAGIC) throw new RdpInputError("rfx-invalid", "RemoteFX sync block without its magic number");
          break;
        case WBT_CONTEXT: {
          need(len, 13, type);
          const tileSize = block.getUint16(9, true);
          if (tileSize !== 64) throw new RdpInputError("rfx-invalid", `RemoteFX context tile size ${tileSize}, only 64 exists`);
          this.mode = entropy((block.getUint16(11, true) >> 9) & 0xf);
          break;
        }
        case WBT_REGION:
          rects = this.region(block, len, left, top, screen, problems);
          break;
        case WBT_EXTENSION:
          this.tileset(data, pos, block, len, left, top, rects, screen, problems, dirty);
          break;
        case WBT_FRAME_END:
          this.framesDecoded++;
          break;
        case WBT_CODEC_VERSIONS:
        case WBT_CHANNELS:
        case WBT_FRAME_BEGIN:
          break; // Nothing the picture depends on: the screen size comes from the connection, frames from markers.
        default:
          throw new RdpInputError("rfx-invalid", `unknown RemoteFX block type 0x${type.toString(16)}`);
      }
      pos += len;
    }
  }

  /** The region's rectangles on the screen, clipped to it. No rectangles means the whole screen. */
  private region(block: DataView, len: number, left: number, top: number, screen: RfxScreen, problems: RdpProblem[]): RdpRect[] {
    need(len, 11, WBT_REGION);
    const count = block.getUint16(9, true);
    need(len, 11 + count * 8 + 4, WBT_REGION);
    if (block.getUint16(11 + count * 8, true) !== CBT_REGION) throw new RdpInputError("rfx-invalid", "RemoteFX region without CBT_REGION");
    if (count === 0) return [{ left: 0, top: 0, right: screen.width, bottom: screen.height }];
    const rects: RdpRect[] = [];
    let outside = 0;
    for (let i = 0; i < count; i++) {
      const o = 11 + i * 8;
      const x = left + block.getUint16(o, true);
      const y = top + block.getUint16(o + 2, true);
      const r = { left: x, top: y, right: x + block.getUint16(o + 4, true), bottom: y + block.getUint16(o + 6, true) };
      if (r.right > screen.width || r.bottom > screen.height) outside++;
      const c = clip(r, screen);
      if (c) rects.push(c);
    }
    if (outside > 0) {
      problems.push({ kind: "rect-outside-screen", message: `RemoteFX region: ${outside} of ${count} rectangles reach outside the ${screen.width}×${screen.height} screen (clipped)` });
    }
    return rects;
  }

  private tileset(
    data: Uint8Array,
    pos: number,
    block: DataView,
    len: number,
    left: number,
    top: number,
    rects: RdpRect[] | null,
    screen: RfxScreen,
    problems: RdpProblem[],
    dirty: RdpRect[],
  ): void {
    need(len, 22, WBT_EXTENSION);
    if (block.getUint16(8, true) !== CBT_TILESET) throw new RdpInputError("rfx-invalid", "RemoteFX extension block that is not a tileset");
    const properties = block.getUint16(12, true);
    const mode = entropy((properties >> 10) & 0xf, this.mode);
    const numQuant = block.getUint8(14);
    const tileSize = block.getUint8(15);
    const numTiles = block.getUint16(16, true);
    if (tileSize !== 64) throw new RdpInputError("rfx-invalid", `RemoteFX tileset tile size ${tileSize}, only 64 exists`);
    need(len, 22 + numQuant * 5, WBT_EXTENSION);
    const quants: QuantValues[] = [];
    for (let q = 0; q < numQuant; q++) {
      const v = new Uint8Array(10);
      for (let b = 0; b < 5; b++) {
        const byte = block.getUint8(22 + q * 5 + b);
        v[b * 2] = byte & 0xf;
        v[b * 2 + 1] = byte >> 4;
      }
      quants.push(v);
    }
    const area = rects ?? [{ left: 0, top: 0, right: screen.width, bottom: screen.height }];
    let t = 22 + numQuant * 5;
    for (let i = 0; i < numTiles; i++) {
      if (len - t < TILE_HEADER) throw new RdpInputError("truncated", `RemoteFX tileset: tile ${i} of ${numTiles} missing`);
      const tileType = block.getUint16(t, true);
      const tileLen = block.getUint32(t + 2, true);
      if (tileType !== CBT_TILE) throw new RdpInputError("rfx-invalid", `RemoteFX tileset: tile ${i} has block type 0x${tileType.toString(16)}`);
      if (tileLen < TILE_HEADER || tileLen > len - t) throw new RdpInputError("truncated", `RemoteFX tile ${i} claims ${tileLen} bytes, ${len - t} left`);
      try {
        this.tile(data, pos + t, block, t, tileLen, quants, mode, left, top, area, screen, dirty);
      } catch (err) {
        if (!(err instanceof RdpInputError)) throw err;
        problems.push(err.toProblem());
      }
      t += tileLen;
    }
  }

  private tile(
    data: Uint8Array,
    abs: number,
    block: DataView,
    t: number,
    tileLen: number,
    quants: QuantValues[],
    mode: number,
    left: number,
    top: number,
    area: RdpRect[],
    screen: RfxScreen,
    dirty: RdpRect[],
  ): void {
    const qy = block.getUint8(t + 6);
    const qcb = block.getUint8(t + 7);
    const qcr = block.getUint8(t + 8);
    const x = left + block.getUint16(t + 9, true) * 64;
    const y = top + block.getUint16(t + 11, true) * 64;
    const yLen = block.getUint16(t + 13, true);
    const cbLen = block.getUint16(t + 15, true);
    const crLen = block.getUint16(t + 17, true);
    if (qy >= quants.length || qcb >= quants.length || qcr >= quants.length) {
      throw new RdpInputError("quant-index", `RemoteFX tile uses quantisation set ${Math.max(qy, qcb, qcr)} of ${quants.length}`);
    }
    if (TILE_HEADER + yLen + cbLen + crLen > tileLen) {
      throw new RdpInputError("truncated", `RemoteFX tile components (${yLen}+${cbLen}+${crLen} bytes) exceed the tile's ${tileLen}`);
    }
    if (x >= screen.width || y >= screen.height) {
      throw new RdpInputError("tile-out-of-range", `RemoteFX tile at (${x},${y}) is outside the ${screen.width}×${screen.height} screen`);
    }
    const tileRect = { left: x, top: y, right: x + 64, bottom: y + 64 };
    const parts: RdpRect[] = [];
    for (const r of area) {
      const c = intersect(tileRect, r);
      if (c) parts.push(c);
    }
    this.tilesDecoded++;
    if (parts.length === 0) return; // Outside the region: nothing to show.
    const base = abs + TILE_HEADER;
    this.tiles.decode(mode, data, [
      { offset: base, length: yLen, quant: quants[qy]! },
      { offset: base + yLen, length: cbLen, quant: quants[qcb]! },
      { offset: base + yLen + cbLen, length: crLen, quant: quants[qcr]! },
    ]);
    // Converted straight into the screen's rows, whole pixels at a time.
    const width = screen.width;
    const dst = new Uint32Array(screen.rgba.buffer, screen.rgba.byteOffset, width * screen.height);
    for (const p of parts) {
      this.tiles.draw(dst, y * width + x, width, p.left - x, p.top - y, p.right - x, p.bottom - y);
      dirty.push(p);
    }
  }
}

function entropy(code: number, fallback?: number): number {
  if (code === RLGR1 || code === RLGR3) return code;
  if (fallback !== undefined) return fallback;
  throw new RdpInputError("rfx-invalid", `RemoteFX entropy coder ${code} (only RLGR1 = 1 and RLGR3 = 4 exist)`);
}

function need(len: number, want: number, type: number): void {
  if (len < want) throw new RdpInputError("truncated", `RemoteFX block 0x${type.toString(16)} of ${len} bytes, needs ${want}`);
}

function intersect(a: RdpRect, b: RdpRect): RdpRect | null {
  const left = Math.max(a.left, b.left);
  const top = Math.max(a.top, b.top);
  const right = Math.min(a.right, b.right);
  const bottom = Math.min(a.bottom, b.bottom);
  return left < right && top < bottom ? { left, top, right, bottom } : null;
}

function clip(r: RdpRect, screen: RfxScreen): RdpRect | null {
  return intersect(r, { left: 0, top: 0, right: screen.width, bottom: screen.height });
}
