// Seek-bar previews, made in the video worker from the picture it already composes (no second decode): a
// small tile of the video's picture at most every PREVIEW_INTERVAL_MS of session time (only when a frame is
// taken, i.e. when the screen changed), packed into JPEG sprite sheets of COLUMNS × ROWS tiles. A live
// session sends its current sheet with its first tile, then again at most every LIVE_SHEET_EVERY_MS of session
// time (so viewers' previews keep up without a JPEG of the whole sheet per tile), when full and at the end; an
// import sends each sheet once, when full or at the end.
import { createCanvas, type Canvas, type SKRSContext2D } from "@napi-rs/canvas";
import type { Compositor } from "./compositor.ts";
import type { Size } from "./fit.ts";

export const PREVIEW_INTERVAL_MS = 2000;
export const PREVIEW_TILE_WIDTH = 160;
export const PREVIEW_COLUMNS = 10;
export const PREVIEW_ROWS = 10;
const JPEG_QUALITY = 75;
/** A live sheet is sent again at most this often: a JPEG of the whole sheet after every tile (every 2 s) was a third of a live office session's preview time. */
export const LIVE_SHEET_EVERY_MS = 6000;

/** One sheet as it is now: its name (unique within the recording), the image and the time of each tile. */
export interface PreviewSheet {
  sheet: string;
  image: Uint8Array;
  /** Session ms of each tile, in tile order (row-major). */
  tiles: number[];
  tileWidth: number;
  tileHeight: number;
  columns: number;
}

export class PreviewSheets {
  private canvas: Canvas | null = null;
  private ctx: SKRSContext2D | null = null;
  private tileHeight = 0;
  private tiles: number[] = [];
  private sheetNumber = 0;
  private nextDueMs = 0;
  private unsent = false;
  /** Session time the live sheet was last sent. */
  private sentMs = -Infinity;

  /** `prefix` keeps sheet names of parallel import windows apart. */
  constructor(private readonly options: { live: boolean; prefix: string; intervalMs?: number }) {}

  /** After a frame at `ptsMs` was taken: a tile when one is due. Returns the sheets to store (often none). */
  async add(ptsMs: number, compositor: Compositor, video: Size): Promise<PreviewSheet[]> {
    if (ptsMs < this.nextDueMs) return [];
    const out: PreviewSheet[] = [];
    const interval = this.options.intervalMs ?? PREVIEW_INTERVAL_MS;
    this.nextDueMs = (Math.floor(ptsMs / interval) + 1) * interval;
    const tileHeight = Math.max(2, Math.round((PREVIEW_TILE_WIDTH * video.height) / video.width));
    if (!this.canvas || !this.ctx || tileHeight !== this.tileHeight) {
      // The first sheet, or the video size changed (never within one video today): start a fresh sheet.
      if (this.canvas && this.unsent) out.push(await this.encode());
      if (this.canvas) this.sheetNumber++;
      this.tileHeight = tileHeight;
      this.canvas = createCanvas(PREVIEW_TILE_WIDTH * PREVIEW_COLUMNS, tileHeight * PREVIEW_ROWS);
      this.ctx = this.canvas.getContext("2d");
      this.tiles = [];
    }
    const i = this.tiles.length;
    const rect = { x: (i % PREVIEW_COLUMNS) * PREVIEW_TILE_WIDTH, y: Math.floor(i / PREVIEW_COLUMNS) * tileHeight, width: PREVIEW_TILE_WIDTH, height: tileHeight };
    if (!compositor.drawPreview(this.ctx, rect)) return out;
    this.tiles.push(Math.round(ptsMs));
    this.unsent = true;
    const full = this.tiles.length === PREVIEW_COLUMNS * PREVIEW_ROWS;
    if (!full && !this.options.live) return out;
    if (!full && this.tiles.length > 1 && ptsMs < this.sentMs + LIVE_SHEET_EVERY_MS) return out;
    this.sentMs = ptsMs;
    out.push(await this.encode());
    if (full) {
      this.sheetNumber++;
      this.canvas = null;
      this.ctx = null;
      this.tiles = [];
    }
    return out;
  }

  /** At the end: the last sheet if it has tiles not yet sent. */
  async finish(): Promise<PreviewSheet | null> {
    if (!this.canvas || this.tiles.length === 0 || !this.unsent) return null;
    return this.encode();
  }

  private async encode(): Promise<PreviewSheet> {
    const canvas = this.canvas!;
    const rows = Math.ceil(this.tiles.length / PREVIEW_COLUMNS);
    // Only the rows in use: a live sheet's first versions stay small.
    const used = rows === PREVIEW_ROWS ? canvas : cropped(canvas, rows * this.tileHeight);
    const image = new Uint8Array(await used.encode("jpeg", JPEG_QUALITY));
    this.unsent = false;
    return {
      sheet: `${this.options.prefix}${this.sheetNumber}`,
      image,
      tiles: [...this.tiles],
      tileWidth: PREVIEW_TILE_WIDTH,
      tileHeight: this.tileHeight,
      columns: PREVIEW_COLUMNS,
    };
  }
}

function cropped(canvas: Canvas, height: number): Canvas {
  const out = createCanvas(canvas.width, height);
  out.getContext("2d").drawImage(canvas, 0, 0, canvas.width, height, 0, 0, canvas.width, height);
  return out;
}
