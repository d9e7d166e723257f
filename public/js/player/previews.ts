// Seek-bar previews: the recording's sprite sheets (made by the server's video pipeline as it records) and
// the tile for a time — the last tile at or before it. An index that is not complete yet (a live recording,
// or one that has just ended while its last sheet is made) is fetched again, so new tiles and sheets show up.
import type { PreviewIndexView } from "../../../src/api/previews.ts";
import { fetchJson, recordingUrls } from "../lib/api.ts";

export interface PreviewTile {
  /** The sheet's URL (with its tile count, so a grown live sheet is fetched anew). */
  url: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Ms into the recording of the picture. */
  tMs: number;
}

const LIVE_REFRESH_MS = 3000;

export class SeekPreviews {
  private tiles: PreviewTile[] = [];
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  /** The index may still grow: fetch it again when stale. */
  private growing: boolean;

  constructor(private readonly id: string, live: boolean) {
    this.growing = live;
  }

  /** The session ended: fetch again, until the index says it is complete. */
  set ended(value: boolean) {
    if (value) void this.load();
  }

  load(): Promise<void> {
    this.loading ??= fetchJson<PreviewIndexView>(`${recordingUrls(this.id).detail}/previews`)
      .then((index) => {
        const tiles: PreviewTile[] = [];
        for (const sheet of index.sheets) {
          const url = `${sheet.url}?n=${sheet.tiles.length}`;
          sheet.tiles.forEach((tMs, i) => {
            tiles.push({ url, x: (i % sheet.columns) * sheet.tile_width, y: Math.floor(i / sheet.columns) * sheet.tile_height, width: sheet.tile_width, height: sheet.tile_height, tMs });
          });
        }
        this.tiles = tiles.sort((a, b) => a.tMs - b.tMs);
        this.growing = !index.complete;
        // Warm the cache so the first hover shows a picture at once.
        for (const url of new Set(tiles.map((t) => t.url))) new Image().src = url;
      })
      .catch(() => undefined) // no previews: the seek bar works without them
      .finally(() => {
        this.loadedAt = Date.now();
        this.loading = null;
      });
    return this.loading;
  }

  /** The tile for `t` seconds, or null (none yet). Refreshes a live index in the background when stale. */
  tileAt(t: number): PreviewTile | null {
    if (this.growing && Date.now() - this.loadedAt > LIVE_REFRESH_MS) void this.load();
    const ms = t * 1000;
    let lo = 0;
    let hi = this.tiles.length - 1;
    let found: PreviewTile | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.tiles[mid]!.tMs <= ms) {
        found = this.tiles[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found ?? this.tiles[0] ?? null;
  }
}
