// GET /v1/recordings/:id/clip.mp4?from=&to=: a span of a recording as its own MP4 (docs/api.md, "Clips").
// Audited as recording access, with the span.
import { Elysia, t } from "elysia";
import { ClipQuery } from "../api/clips.ts";
import { errorMessage } from "../errorMessage.ts";
import { RecordingIdParams, errors } from "../api/common.ts";
import type { Services } from "../services.ts";
import { ClipExporter, ClipError } from "../sessions/clipExport.ts";
import { authGuard } from "./authRoutes.ts";
import { busy, HttpError } from "./errors.ts";
import { binary, fileStamp, requireReader, safeName, visibleRecording, withLiveProgress } from "./recordingRoutes.ts";

/** Seconds a client is asked to wait when every export slot is taken. */
const BUSY_RETRY_SECONDS = 2;

export function clipRoutes(services: Services, clips = new ClipExporter(services.store)) {
  return new Elysia().use(authGuard(services.auth)).get("/v1/recordings/:id/clip.mp4", async (ctx) => {
    const principal = requireReader(ctx);
    const row = withLiveProgress(services, await visibleRecording(services, principal, ctx.params.id));
    const span = { fromMs: ctx.query.from, toMs: ctx.query.to };
    let clip;
    try {
      clip = await clips.prepare(row, row.durationMs, span);
    } catch (err) {
      if (err instanceof ClipError) {
        throw err.status === 503 ? busy(err.message, BUSY_RETRY_SECONDS) : new HttpError(err.status, err.message);
      }
      throw err;
    }
    services.accessLog.record(principal, row.id, "download_clip", span);
    // the body streams as the writer produces it; backpressure reaches the writer through the pipe (Bun
    // sends a stream chunked whatever Content-Length says, so the size goes in a header of its own)
    const pipe = new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: 4 }, { highWaterMark: 4 });
    const writer = pipe.writable.getWriter();
    clip.write({
      // A copy: the stream holds a chunk until the client reads it, and the MP4 writer reuses its buffer.
      write: (data) => writer.write(data.slice()),
      close: () => writer.close(),
      abort: () => writer.abort(new Error("clip export failed")),
    }).catch((err) => services.log(`clip of ${row.id} ${span.fromMs}..${span.toMs} ms failed: ${errorMessage(err)}`));
    const name = `${safeName(row.desktopName || row.id)}-${fileStamp(row.startMs + span.fromMs)}-clip-${span.fromMs}-${span.toMs}.mp4`;
    return new Response(pipe.readable, {
      headers: {
        "content-type": "video/mp4",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "private, no-store",
        "x-clip-bytes": String(clip.bytes),
        "x-clip-duration-ms": String(clip.durationMs),
      },
    });
  }, {
    params: RecordingIdParams,
    query: ClipQuery,
    response: {
      200: binary("video/mp4", "an MP4 of exactly [from, to): moov first, times from 0, the recording's id and the span in its metadata"),
      ...errors(400, 401, 403, 404, 416, 503),
    },
    detail: {
      tags: ["recordings"],
      summary: "A clip of the recording's video",
      description:
        "`from` and `to` are whole milliseconds from the recording's start (`to` exclusive, at most the recording's duration, so far while live). " +
        "The clip starts with the picture on screen at `from`: the partial group of pictures up to the next keyframe is encoded again, the rest copied. " +
        "Its moov holds `com.deskreel.recording_id`, `clip_from_ms`, `clip_to_ms`, `clip_start`, `clip_end` (UTC) tags. " +
        "400: `to` not after `from`; 416: the span ends past what was recorded; 503: clips are being cut already (Retry-After) or this server cannot re-encode. Audited as `session.recording.access` with `access: download_clip`.",
    },
  });
}
