// Stores a recording's seek-bar preview sheets as they come from the workers, with a small JSON index of
// which tile shows which moment (video/<id>/previews/index.json). Writes run one after another, off the
// frame path; a failed write is logged and the next sheet goes on (previews are a convenience, never the record).
import type { BlobStore } from "../storage/blobStore.ts";
import type { PreviewSheet } from "./compose/previewSheets.ts";
import { errorMessage } from "../errorMessage.ts";

/** What GET /v1/recordings/:id/previews serves (src/api/previews.ts has its schema). */
export interface PreviewIndex {
  sheets: Array<{ name: string; tile_width: number; tile_height: number; columns: number; tiles: number[] }>;
  /** Written once the recording's last sheet is stored: no more tiles will come. */
  complete?: boolean;
}

export const PREVIEW_INDEX = "index.json";

export function previewSheetKey(prefix: string, name: string): string {
  return `${prefix}${name}.jpg`;
}

export class PreviewStore {
  private readonly sheets = new Map<string, PreviewIndex["sheets"][number]>();
  private writes: Promise<void> = Promise.resolve();

  /** `prefix`: where the sheets and the index go, e.g. video/<id>/previews/. */
  constructor(private readonly store: BlobStore, private readonly prefix: string, private readonly log: (line: string) => void) {}

  add(sheet: PreviewSheet): void {
    if (!/^[0-9]+-[0-9]+$/.test(sheet.sheet)) return; // names become keys: only what workers make
    this.sheets.set(sheet.sheet, { name: sheet.sheet, tile_width: sheet.tileWidth, tile_height: sheet.tileHeight, columns: sheet.columns, tiles: sheet.tiles });
    const index = this.index(false);
    const image = sheet.image;
    this.write(`sheet ${sheet.sheet}`, async () => {
      await this.store.put(previewSheetKey(this.prefix, sheet.sheet), image);
      await this.putIndex(index);
    });
  }

  /** The recording has ended and every sheet was added: the index says so (readers stop asking for more). */
  complete(): Promise<void> {
    const index = this.index(true);
    this.write("the final index", () => this.putIndex(index));
    return this.writes;
  }

  private index(complete: boolean): PreviewIndex {
    const sheets = [...this.sheets.values()].filter((s) => s.tiles.length > 0).sort((a, b) => a.tiles[0]! - b.tiles[0]!);
    return complete ? { sheets, complete } : { sheets };
  }

  private putIndex(index: PreviewIndex): Promise<void> {
    return this.store.put(`${this.prefix}${PREVIEW_INDEX}`, new TextEncoder().encode(JSON.stringify(index)));
  }

  private write(what: string, step: () => Promise<void>): void {
    this.writes = this.writes
      .then(step)
      .catch((err: unknown) => this.log(`previews ${this.prefix}: ${what} not stored: ${errorMessage(err)}`));
  }
}
