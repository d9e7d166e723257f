// Pointer updates (MS-RDPBCGR 2.2.9.1.2.1.5–11): position, null/default, colour (24 bpp), new (1–32 bpp),
// large and cached pointers with the pointer cache. Shapes become straight RGBA plus an "invert the screen"
// mask for the AND=1/XOR≠0 pixels that classic Windows cursors (the I-beam) use.
import { RdpInputError } from "./errors";
import type { PointerShape, PointerState } from "./types";

export const UPDATE_PTR_NULL = 5;
export const UPDATE_PTR_DEFAULT = 6;
export const UPDATE_PTR_POSITION = 8;
export const UPDATE_PTR_COLOR = 9;
export const UPDATE_PTR_CACHED = 10;
export const UPDATE_PTR_NEW = 11;
export const UPDATE_PTR_LARGE = 12;

/** Largest pointer side any RDP server sends (large pointers are up to 384×384). */
export const MAX_POINTER_SIDE = 384;
const CACHE_SIZE = 256;
/** Pixels the cache may hold in all (16 MiB of RGBA): the oldest shapes make room for new ones. */
export const CACHE_PIXEL_BUDGET = 4 * 1024 * 1024;

/** A decoded pointer shape; `invert` (one byte a pixel, 1 = invert what is under it) is present when used. */
export interface RdpPointerShape extends PointerShape {
  invert?: Uint8Array;
}

export class PointerDecoder {
  readonly state: PointerState = { x: 0, y: 0, visible: true, shape: null };
  /** Cache index → shape, oldest stored first. */
  private readonly cache = new Map<number, RdpPointerShape>();
  private cachedPixels = 0;

  /** Applies one pointer update; returns whether the pointer changed. Throws RdpInputError on bad input. */
  apply(code: number, data: Uint8Array, palette: Uint8Array | null): boolean {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    switch (code) {
      case UPDATE_PTR_POSITION: {
        need(data, 4, "pointer position");
        const x = view.getUint16(0, true);
        const y = view.getUint16(2, true);
        const changed = x !== this.state.x || y !== this.state.y;
        this.state.x = x;
        this.state.y = y;
        return changed;
      }
      case UPDATE_PTR_NULL:
        return this.show(false, this.state.shape);
      case UPDATE_PTR_DEFAULT:
        return this.show(true, null);
      case UPDATE_PTR_CACHED: {
        need(data, 2, "cached pointer");
        const index = view.getUint16(0, true);
        if (index >= CACHE_SIZE) throw new RdpInputError("pointer-cache-index", `cached pointer index ${index} (cache has ${CACHE_SIZE})`);
        const shape = this.cache.get(index);
        if (!shape) throw new RdpInputError("pointer-cache-miss", `cached pointer ${index} was never sent (or was dropped to keep the cache within its memory budget)`);
        return this.show(true, shape);
      }
      case UPDATE_PTR_COLOR:
        return this.store(readColorPointer(view, 0, 24, false, palette));
      case UPDATE_PTR_NEW:
        need(data, 2, "new pointer");
        return this.store(readColorPointer(view, 2, view.getUint16(0, true), false, palette));
      case UPDATE_PTR_LARGE:
        need(data, 2, "large pointer");
        return this.store(readColorPointer(view, 2, view.getUint16(0, true), true, palette));
    }
    throw new RdpInputError("unsupported", `pointer update code ${code}`);
  }

  private store(p: { index: number; shape: RdpPointerShape }): boolean {
    if (p.index >= CACHE_SIZE) throw new RdpInputError("pointer-cache-index", `pointer cache index ${p.index} (cache has ${CACHE_SIZE})`);
    this.forget(p.index);
    const pixels = p.shape.width * p.shape.height;
    for (const index of this.cache.keys()) {
      if (this.cachedPixels + pixels <= CACHE_PIXEL_BUDGET) break;
      this.forget(index);
    }
    this.cache.set(p.index, p.shape);
    this.cachedPixels += pixels;
    return this.show(true, p.shape);
  }

  private forget(index: number): void {
    const old = this.cache.get(index);
    if (!old) return;
    this.cache.delete(index);
    this.cachedPixels -= old.width * old.height;
  }

  private show(visible: boolean, shape: PointerShape | null): boolean {
    const changed = visible !== this.state.visible || shape !== this.state.shape;
    this.state.visible = visible;
    this.state.shape = shape;
    return changed;
  }
}

function need(data: Uint8Array, n: number, what: string): void {
  if (data.length < n) throw new RdpInputError("truncated", `${what}: ${data.length} bytes, needs ${n}`);
}

/** TS_COLORPOINTERATTRIBUTE / TS_LARGEPOINTERATTRIBUTE at `o`, XOR mask of `bpp` bits a pixel. */
function readColorPointer(view: DataView, o: number, bpp: number, large: boolean, palette: Uint8Array | null): { index: number; shape: RdpPointerShape } {
  const header = large ? 18 : 14;
  if (view.byteLength < o + header) throw new RdpInputError("truncated", `pointer attribute: ${view.byteLength - o} bytes, needs ${header}`);
  if (![1, 4, 8, 15, 16, 24, 32].includes(bpp)) throw new RdpInputError("pointer-invalid", `pointer of ${bpp} bits per pixel`);
  const index = view.getUint16(o, true);
  const hotX = view.getUint16(o + 2, true);
  const hotY = view.getUint16(o + 4, true);
  const width = view.getUint16(o + 6, true);
  const height = view.getUint16(o + 8, true);
  const andLen = large ? view.getUint32(o + 10, true) : view.getUint16(o + 10, true);
  const xorLen = large ? view.getUint32(o + 14, true) : view.getUint16(o + 12, true);
  if (width > MAX_POINTER_SIDE || height > MAX_POINTER_SIDE) {
    throw new RdpInputError("pointer-too-large", `pointer of ${width}×${height} (at most ${MAX_POINTER_SIDE}×${MAX_POINTER_SIDE})`);
  }
  if (width === 0 || height === 0) throw new RdpInputError("pointer-invalid", `pointer of ${width}×${height}`);
  const xorStride = (((width * bpp + 15) >> 4) << 1);
  const andStride = (((width + 15) >> 4) << 1);
  if (xorLen < xorStride * height) throw new RdpInputError("pointer-invalid", `pointer XOR mask of ${xorLen} bytes, ${width}×${height}@${bpp} needs ${xorStride * height}`);
  if (andLen !== 0 && andLen < andStride * height) throw new RdpInputError("pointer-invalid", `pointer AND mask of ${andLen} bytes, needs ${andStride * height}`);
  const xorAt = o + header;
  const andAt = xorAt + xorLen;
  if (view.byteLength < andAt + andLen) throw new RdpInputError("truncated", `pointer masks need ${xorLen + andLen} bytes, ${view.byteLength - xorAt} left`);
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const rgba = new Uint8Array(width * height * 4);
  let invert: Uint8Array | undefined;
  const useAlpha = bpp === 32 && hasAlpha(bytes, xorAt, xorStride, width, height);
  for (let row = 0; row < height; row++) {
    const xorRow = xorAt + (height - 1 - row) * xorStride; // masks are bottom-up
    const andRow = andAt + (height - 1 - row) * andStride;
    for (let col = 0; col < width; col++) {
      const [r, g, b, a] = xorPixel(bytes, xorRow, col, bpp, palette);
      const and = andLen !== 0 ? (bytes[andRow + (col >> 3)]! >> (7 - (col & 7))) & 1 : 0;
      const d = (row * width + col) * 4;
      if (useAlpha) {
        rgba[d] = r;
        rgba[d + 1] = g;
        rgba[d + 2] = b;
        rgba[d + 3] = a;
      } else if (and === 0) {
        rgba[d] = r;
        rgba[d + 1] = g;
        rgba[d + 2] = b;
        rgba[d + 3] = 255;
      } else if (r | g | b) {
        // AND 1, XOR colour: the screen XORed with the colour; shown as inverting what is under it.
        invert ??= new Uint8Array(width * height);
        invert[row * width + col] = 1;
      }
    }
  }
  const shape: RdpPointerShape = { width, height, hotX: Math.min(hotX, width - 1), hotY: Math.min(hotY, height - 1), rgba };
  if (invert) shape.invert = invert;
  return { index, shape };
}

function hasAlpha(bytes: Uint8Array, at: number, stride: number, width: number, height: number): boolean {
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) if (bytes[at + row * stride + col * 4 + 3] !== 0) return true;
  }
  return false;
}

// 16 colours of the standard VGA palette, for 4 bpp pointers when the session has no palette.
const VGA16 = [
  0x000000, 0x800000, 0x008000, 0x808000, 0x000080, 0x800080, 0x008080, 0xc0c0c0,
  0x808080, 0xff0000, 0x00ff00, 0xffff00, 0x0000ff, 0xff00ff, 0x00ffff, 0xffffff,
];

function xorPixel(bytes: Uint8Array, rowAt: number, col: number, bpp: number, palette: Uint8Array | null): [number, number, number, number] {
  switch (bpp) {
    case 1: {
      const v = ((bytes[rowAt + (col >> 3)]! >> (7 - (col & 7))) & 1) * 255;
      return [v, v, v, 255];
    }
    case 4: {
      const idx = (bytes[rowAt + (col >> 1)]! >> (col & 1 ? 0 : 4)) & 0xf;
      if (palette) return [palette[idx * 3]!, palette[idx * 3 + 1]!, palette[idx * 3 + 2]!, 255];
      const c = VGA16[idx]!;
      return [c >> 16, (c >> 8) & 0xff, c & 0xff, 255];
    }
    case 8: {
      const idx = bytes[rowAt + col]!;
      if (palette) return [palette[idx * 3]!, palette[idx * 3 + 1]!, palette[idx * 3 + 2]!, 255];
      return [idx, idx, idx, 255];
    }
    case 15:
    case 16: {
      const v = bytes[rowAt + col * 2]! | (bytes[rowAt + col * 2 + 1]! << 8);
      if (bpp === 15) return [expand5(v >> 10), expand5(v >> 5), expand5(v), 255];
      return [expand5(v >> 11), ((v >> 5) & 0x3f) * 255 / 63 + 0.5 | 0, expand5(v), 255];
    }
    case 24: {
      const p = rowAt + col * 3;
      return [bytes[p + 2]!, bytes[p + 1]!, bytes[p]!, 255];
    }
    default: {
      const p = rowAt + col * 4;
      return [bytes[p + 2]!, bytes[p + 1]!, bytes[p]!, bytes[p + 3]!];
    }
  }
}

function expand5(v: number): number {
  const c = v & 0x1f;
  return (c << 3) | (c >> 2);
}
