// Seek-bar previews of a recording: the index of its sprite sheets, and the sheets (made by the video
// workers while the recording runs; see video/compose/previewSheets.ts). Same access rules as the video.
import { Elysia } from "elysia";
import { errors, RecordingIdParams } from "../api/common.ts";
import { PreviewIndexView, PreviewSheetParams } from "../api/previews.ts";
import type { Services } from "../services.ts";
import { blobKeys } from "../storage/sessionKeys.ts";
import { PREVIEW_INTERVAL_MS } from "../video/compose/previewSheets.ts";
import { PREVIEW_INDEX, type PreviewIndex } from "../video/previewStore.ts";
import { authGuard } from "./authRoutes.ts";
import { blobResponse } from "./blobResponse.ts";
import { HttpError } from "./errors.ts";
import { binary, requireReader, visibleRecording } from "./recordingRoutes.ts";

export function previewRoutes(services: Services) {
  const { store } = services;
  const tags = ["recordings"];
  return new Elysia()
    .use(authGuard(services.auth))
    .get("/v1/recordings/:id/previews", async (ctx) => {
      const row = await visibleRecording(services, requireReader(ctx), ctx.params.id);
      const prefix = blobKeys(row.id).previews;
      const bytes = await store.get(`${prefix}${PREVIEW_INDEX}`);
      const index: PreviewIndex = bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as PreviewIndex) : { sheets: [] };
      ctx.set.headers["cache-control"] = "no-cache";
      return {
        interval_ms: PREVIEW_INTERVAL_MS,
        sheets: index.sheets.map((s) => ({ ...s, url: `/v1/recordings/${encodeURIComponent(row.id)}/previews/${s.name}.jpg` })),
        // A recording cut off by a crash or refused never gets another sheet.
        complete: index.complete === true || row.status === "interrupted" || row.status === "failed",
      };
    }, {
      params: RecordingIdParams,
      response: { 200: PreviewIndexView, ...errors(401, 403, 404) },
      detail: {
        tags, summary: "Seek-bar preview sheets of a recording",
        description: "Sprite sheets of small pictures (160 px wide) of the video, at most one every interval_ms while the screen changes. The picture at time t is the last tile at or before t. Empty until the first tile; grows until complete (while live, and for a moment after the session ends while its last sheet is made).",
      },
    })
    .get("/v1/recordings/:id/previews/:sheet", async (ctx) => {
      const row = await visibleRecording(services, requireReader(ctx), ctx.params.id);
      const key = `${blobKeys(row.id).previews}${ctx.params.sheet}`;
      const size = await store.size(key);
      // A live recording's last sheet is rewritten as it grows: the ETag changes with it.
      const response = await blobResponse(store, key, ctx.request, { contentType: "image/jpeg", etag: `"prev-${row.id}-${ctx.params.sheet}-${size}"`, immutable: false });
      if (!response) throw new HttpError(404, `recording ${row.id} has no preview sheet ${ctx.params.sheet}`);
      return response;
    }, {
      params: PreviewSheetParams,
      response: { 200: binary("image/jpeg", "a sprite sheet of preview tiles"), 304: binary("image/jpeg", "not modified"), ...errors(400, 401, 403, 404) },
      detail: { tags, summary: "One seek-bar preview sheet (JPEG)" },
    });
}
