// The recordings API: list, one recording with its markers, the raw recording, the MP4, the thumbnail.
// Every route checks the caller may see that recording (admins/auditors: all; users: their own).
import { Elysia, t } from "elysia";
import { RecordingIdParams, errors } from "../api/common.ts";
import { RecordingDetail, RecordingListQuery, RecordingPage, recordingFilterOf, VideoQuery } from "../api/recordings.ts";
import { toApiDetail, toApiItem } from "../api/recordingView.ts";
import { SchemaError } from "../api/validation.ts";
import { canBrowse, canSeeRecording, seesAllRecordings, type Principal } from "../auth/principal.ts";
import { CatalogError } from "../catalog/catalog.ts";
import type { RecordingRow } from "../catalog/types.ts";
import type { Services } from "../services.ts";
import { blobKeys, isValidSessionId } from "../storage/sessionKeys.ts";
import { authGuard, forbiddenError, type PrincipalContext, requirePermission } from "./authRoutes.ts";
import { attachment, blobResponse } from "./blobResponse.ts";
import { HttpError } from "./errors.ts";
import { relayBlob, remoteOwner } from "./peerProxy.ts";

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

/** A search form sends empty fields: they mean "no filter", as if absent. */
export function dropEmptyValues(query: Record<string, unknown>): void {
  for (const key of Object.keys(query)) if (query[key] === "") delete query[key];
}

/** A binary answer in the document. */
export function binary(mediaType: string, description: string) {
  return t.Any({ description, "x-media-type": mediaType });
}

/** A live session's row, with its duration and video so far filled in from the running session. */
export function withLiveProgress(services: Services, row: RecordingRow): RecordingRow {
  const session = row.status === "live" ? services.live.get(row.id) : undefined;
  if (!session) return row;
  const durationMs = session.recordingTimeAt();
  const video = session.video.live.stats();
  return { ...row, durationMs, videoDurationMs: video.lastPtsMs ?? 0, videoBytes: video.bytes };
}

export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/:/g, "-");
}

export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "recording";
}

export function recordingRoutes(services: Services) {
  const { catalog, store, accessLog } = services;
  const tags = ["recordings"];
  return new Elysia()
    .use(authGuard(services.auth))
    .onTransform(({ query }) => dropEmptyValues(query))
    .get("/v1/recordings", async (ctx) => {
      const principal = requireReader(ctx);
      let filter;
      try {
        filter = recordingFilterOf(ctx.query);
      } catch (err) {
        if (err instanceof SchemaError) throw new HttpError(400, err.message);
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
    }, {
      query: RecordingListQuery,
      response: { 200: RecordingPage, ...errors(400, 401, 403) },
      detail: { tags, summary: "List recordings", description: "Newest first unless sorted; `next` pages on. A user sees only sessions they took part in." },
    })
    .get("/v1/recordings/:id", async (ctx) => {
      const row = await visibleRecording(services, requireReader(ctx), ctx.params.id);
      return toApiDetail(withLiveProgress(services, row), await catalog.listMarkers(row.id));
    }, {
      params: RecordingIdParams,
      response: { 200: RecordingDetail, ...errors(401, 403, 404) },
      detail: { tags, summary: "One recording with its markers", description: "Markers (clipboard, resize, alert/error, file transfer) in time order." },
    })
    .get("/v1/recordings/:id/recording.tar", async (ctx) => {
      const principal = requireReader(ctx);
      const row = await visibleRecording(services, principal, ctx.params.id);
      const owner = await remoteOwner(services, row);
      const response = owner
        ? await relayBlob(services, owner, row.id, "recording.tar", ctx.request, { "content-disposition": attachment(`${row.id}.tar`) })
        : await recordingTarResponse(services, row, ctx.request);
      accessLog.record(principal, row.id, "download_recording");
      return response;
    }, {
      params: RecordingIdParams,
      response: { 200: binary("application/octet-stream", "the Teleport protostream file, as written so far while live"), 206: binary("application/octet-stream", "a range"), ...errors(401, 403, 404, 416) },
      detail: { tags, summary: "The Teleport protostream recording", description: "Honours Range (206/416)." },
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
    }, {
      params: RecordingIdParams,
      response: { 200: binary("image/png", "a small picture of the session"), ...errors(401, 403, 404) },
      detail: { tags, summary: "A thumbnail of the session" },
    })
    .route("GET", "/v1/recordings/:id/video.mp4", (ctx) => videoResponse(services, ctx), videoHook("H.264 MP4 of the recording"))
    .route("HEAD", "/v1/recordings/:id/video.mp4", (ctx) => videoResponse(services, ctx), videoHook("Headers of the MP4 (size, ETag)"));

  function videoHook(summary: string) {
    return {
      params: RecordingIdParams,
      query: VideoQuery,
      response: {
        200: binary("video/mp4", "the whole MP4: moov-first once complete, the growing fragmented MP4 while live"),
        206: binary("video/mp4", "the requested range (Content-Range)"),
        304: t.Void({ description: "If-None-Match matched" }),
        ...errors(401, 403, 404, 416),
      },
      detail: { tags, summary, description: "RFC 9110 ranges: Range, If-Range, ETag, If-None-Match; `?download=1` for an attachment." },
    };
  }

  async function videoResponse(s: Services, ctx: { request: Request; params: { id: string }; query: { download?: string }; principal: Principal | null }): Promise<Response> {
    const principal = requireReader(ctx);
    const row = await visibleRecording(s, principal, ctx.params.id);
    const download = ctx.query.download === "1";
    const downloadName = download ? `${safeName(row.desktopName || row.id)}-${fileStamp(row.startMs)}.mp4` : undefined;
    const owner = await remoteOwner(s, row);
    const response = owner
      ? await relayBlob(s, owner, row.id, "video.mp4", ctx.request, downloadName ? { "content-disposition": attachment(downloadName) } : {})
      : await videoMp4Response(s, row, ctx.request, downloadName);
    if (ctx.request.method === "GET") accessLog.record(principal, row.id, download ? "download_video" : "play");
    return response;
  }
}

/** This node's copy of a recording's protostream file (ranges, ETag); 404 when nothing is stored. */
export async function recordingTarResponse(services: Services, row: RecordingRow, request: Request): Promise<Response> {
  const { store } = services;
  const key = blobKeys(row.id).recording;
  const size = (await store.size(key)) ?? 0;
  const response = await blobResponse(store, key, request, {
    contentType: "application/octet-stream",
    etag: `"rec-${row.id}-${size}"`,
    downloadName: `${row.id}.tar`,
    immutable: row.status !== "live",
  });
  if (!response) throw new HttpError(404, `recording ${row.id} has no stored events`);
  return response;
}

/** This node's MP4 of a recording: the final one once ready, else the growing fragmented MP4. */
export async function videoMp4Response(services: Services, row: RecordingRow, request: Request, downloadName?: string): Promise<Response> {
  const { store } = services;
  const keys = blobKeys(row.id);
  // While live (or until the final file is written) serve the growing fragmented MP4.
  const finalSize = await store.size(keys.video);
  const key = finalSize !== null && row.videoState === "ready" ? keys.video : keys.liveVideo;
  const size = finalSize !== null && key === keys.video ? finalSize : ((await store.size(keys.liveVideo)) ?? 0);
  const response = await blobResponse(store, key, request, {
    contentType: "video/mp4",
    etag: `"${key === keys.video ? "mp4" : "live"}-${row.id}-${size}"`,
    downloadName,
    immutable: key === keys.video,
  });
  if (!response) {
    if (row.videoState === "failed") throw new HttpError(404, `recording ${row.id} has no video: ${row.error ?? "encoding failed"}`);
    throw new HttpError(404, `recording ${row.id} has no video yet`);
  }
  return response;
}

