// The recordings API: list, one recording with its markers, the raw recording, the MP4, the thumbnail.
// Every route checks the caller may see that recording (admins/auditors: all; users: their own).
import { Elysia } from "elysia";
import { canBrowse, canSeeRecording, seesAllRecordings, type Principal } from "../auth/principal.ts";
import { CatalogError } from "../catalog/catalog.ts";
import { parseRecordingFilter } from "../catalog/filterParams.ts";
import { toApiDetail, toApiItem, type RecordingRow } from "../catalog/types.ts";
import type { Services } from "../services.ts";
import { blobKeys, isValidSessionId } from "../sessions/blobKeys.ts";
import { authGuard, forbiddenError, type PrincipalContext, requirePermission } from "./authRoutes.ts";
import { blobResponse } from "./blobResponse.ts";
import { HttpError } from "./errors.ts";

/** The recording, if it exists and the caller may see it (else 404/403). */
export async function visibleRecording(services: Services, principal: Principal, id: string): Promise<RecordingRow> {
  const row = isValidSessionId(id) ? await services.catalog.getRecording(id) : null;
  if (!row) throw new HttpError(404, `recording ${id} not found`);
  if (!canSeeRecording(principal, row.participants)) throw forbiddenError(`you may not access recording ${id}`);
  return row;
}

/** The caller, if they may read recordings at all (ingest agents may not). */
export function requireReader(ctx: PrincipalContext): Principal {
  return requirePermission(ctx, canBrowse, "read recordings");
}

/** A live session's row, with its duration and video so far filled in from the running session. */
function withLiveProgress(services: Services, row: RecordingRow): RecordingRow {
  const session = row.status === "live" ? services.live.get(row.id) : undefined;
  if (!session) return row;
  const durationMs = session.recordingTimeAt();
  const video = session.video.live.stats();
  return { ...row, durationMs, videoDurationMs: video.lastPtsMs ?? 0, videoBytes: video.bytes };
}

function fileStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/:/g, "-");
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "recording";
}

export function recordingRoutes(services: Services) {
  const { catalog, store, accessLog } = services;
  return new Elysia()
    .use(authGuard(services.auth))
    .get("/v1/recordings", async (ctx) => {
      const principal = requireReader(ctx);
      let filter;
      try {
        filter = parseRecordingFilter(new URL(ctx.request.url).searchParams);
      } catch (err) {
        if (err instanceof CatalogError) throw new HttpError(400, err.message);
        throw err;
      }
      // A user sees only sessions they took part in, whatever they ask for.
      if (!seesAllRecordings(principal)) filter.participant = principal.name;
      try {
        const page = await catalog.listRecordings(filter);
        return { items: page.items.map((row) => toApiItem(withLiveProgress(services, row))), next: page.next };
      } catch (err) {
        if (err instanceof CatalogError) throw new HttpError(400, err.message);
        throw err;
      }
    })
    .get("/v1/recordings/:id", async (ctx) => {
      const row = await visibleRecording(services, requireReader(ctx), ctx.params.id);
      return toApiDetail(withLiveProgress(services, row), await catalog.listMarkers(row.id));
    })
    .get("/v1/recordings/:id/recording.tar", async (ctx) => {
      const principal = requireReader(ctx);
      const row = await visibleRecording(services, principal, ctx.params.id);
      const key = blobKeys(row.id).recording;
      const size = (await store.size(key)) ?? 0;
      const live = row.status === "live";
      const response = await blobResponse(store, key, ctx.request, {
        contentType: "application/octet-stream",
        etag: `"rec-${row.id}-${size}"`,
        downloadName: `${row.id}.tar`,
        immutable: !live,
      });
      if (!response) throw new HttpError(404, `recording ${row.id} has no stored events`);
      accessLog.record(principal, row.id, "download_recording");
      return response;
    })
    .get("/v1/recordings/:id/thumbnail.png", async (ctx) => {
      const row = await visibleRecording(services, requireReader(ctx), ctx.params.id);
      const key = blobKeys(row.id).thumbnail;
      const size = await store.size(key);
      const response = await blobResponse(store, key, ctx.request, {
        contentType: "image/png", etag: `"thumb-${row.id}-${size}"`, immutable: false,
      });
      if (!response) throw new HttpError(404, `recording ${row.id} has no thumbnail yet`);
      return response;
    })
    .route("GET", "/v1/recordings/:id/video.mp4", (ctx) => videoResponse(services, ctx))
    .route("HEAD", "/v1/recordings/:id/video.mp4", (ctx) => videoResponse(services, ctx));

  async function videoResponse(s: Services, ctx: { request: Request; params: { id: string }; principal: Principal | null }): Promise<Response> {
    const principal = requireReader(ctx);
    const row = await visibleRecording(s, principal, ctx.params.id);
    const keys = blobKeys(row.id);
    const url = new URL(ctx.request.url);
    const download = url.searchParams.get("download") === "1";
    // While live (or until the final file is written) serve the growing fragmented MP4.
    const finalSize = await store.size(keys.video);
    const key = finalSize !== null && row.videoState === "ready" ? keys.video : keys.liveVideo;
    const size = finalSize !== null && key === keys.video ? finalSize : ((await store.size(keys.liveVideo)) ?? 0);
    const response = await blobResponse(store, key, ctx.request, {
      contentType: "video/mp4",
      etag: `"${key === keys.video ? "mp4" : "live"}-${row.id}-${size}"`,
      downloadName: download ? `${safeName(row.desktopName || row.id)}-${fileStamp(row.startMs)}.mp4` : undefined,
      immutable: key === keys.video,
    });
    if (!response) {
      if (row.videoState === "failed") throw new HttpError(404, `recording ${row.id} has no video: ${row.error ?? "encoding failed"}`);
      throw new HttpError(404, `recording ${row.id} has no video yet`);
    }
    if (ctx.request.method === "GET") accessLog.record(principal, row.id, download ? "download_video" : "play");
    return response;
  }
}

