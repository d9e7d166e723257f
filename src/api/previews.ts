// Seek-bar previews: the index of a recording's sprite sheets (which tile shows which moment).
import { type Static, t } from "elysia";

export const PreviewSheetView = t.Object({
  name: t.String({ description: "the sheet, fetched at previews/<name>.jpg" }),
  url: t.String({ description: "where to fetch the sheet (JPEG)" }),
  tile_width: t.Integer({ minimum: 1 }),
  tile_height: t.Integer({ minimum: 1 }),
  columns: t.Integer({ minimum: 1, description: "tiles per row; tile i is at column i % columns, row floor(i / columns)" }),
  tiles: t.Array(t.Integer({ minimum: 0 }), { description: "ms from the start of the recording of each tile, in tile order" }),
});

export const PreviewIndexView = t.Object({
  interval_ms: t.Integer({ minimum: 1, description: "at most one tile this often (only when the screen changed)" }),
  sheets: t.Array(PreviewSheetView, { description: "in time order; a live recording's last sheet grows and new ones appear" }),
  complete: t.Boolean({
    description: "true once the recording has ended and its last sheet is stored; until then (live, or the moments after the end while the last sheet is made) the index may grow",
  }),
});
export type PreviewIndexView = Static<typeof PreviewIndexView>;

export const PreviewSheetParams = t.Object({
  id: t.String({ minLength: 1, maxLength: 128, description: "the recording's session id" }),
  sheet: t.String({ pattern: "^[0-9]{1,15}-[0-9]{1,6}\\.jpg$", error: "sheet must be <n>-<m>.jpg", description: "a sheet's name and .jpg" }),
});
