// Clip export of a recording's video: picks the file to cut (the finished MP4, or the growing fragmented
// one of a live or unfinished recording), checks the span against what has been recorded, and bounds how
// many clips are cut at once (each may decode and encode a group of pictures).
import type { RecordingRow } from "../catalog/types.ts";
import { BlobNotFoundError } from "../storage/errors.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { prepareClip, type PreparedClip } from "../video/clip/cutClip.ts";
import { ReencodeUnavailable } from "../video/clip/reencode.ts";
import { finalVideoIndex, fragmentedVideoIndex, type VideoIndex } from "../video/clip/source.ts";
import type { ByteSink } from "../video/mp4/io.ts";
import { storeReader } from "../video/storeIo.ts";
import { blobKeys } from "../storage/sessionKeys.ts";

/** Why a clip cannot be made; `status` is the HTTP answer (400 bad span, 404 no video, 416 outside the recording, 503 busy/unable). */
export class ClipError extends Error {
  override name = "ClipError";
  constructor(
    readonly status: 400 | 404 | 416 | 503,
    message: string,
  ) {
    super(message);
  }
}

export interface ClipSpan {
  fromMs: number;
  toMs: number;
}

export interface ClipDownload extends PreparedClip {
  /** Writes the MP4 and frees the export slot (call exactly once, or `cancel`). */
  write(sink: ByteSink): ReturnType<PreparedClip["write"]>;
  cancel(): void;
}

/** Clips cut at once; more wait for nobody: they are answered 503 with Retry-After. */
export const MAX_CONCURRENT_CLIPS = 2;

export class ClipExporter {
  private active = 0;
  /** Clips refused or failed, by reason (for status and tests). */
  readonly failures = { badSpan: 0, busy: 0, failed: 0 };

  constructor(private readonly store: BlobStore) {}

  /**
   * Plans and prepares the clip of `row` (whose recorded length so far is `recordedMs`): throws ClipError.
   * The returned download holds an export slot until written or cancelled.
   */
  async prepare(row: RecordingRow, recordedMs: number, span: ClipSpan): Promise<ClipDownload> {
    if (row.kind !== "desktop") throw this.refuse(404, `recording ${row.id} is an SSH session: it has no video`);
    if (!(span.toMs > span.fromMs)) throw this.refuse(400, `to (${span.toMs}) must be after from (${span.fromMs})`);
    if (span.toMs > recordedMs) {
      const what = row.status === "live" ? "is live and has recorded" : "lasts";
      throw this.refuse(416, `the clip ends at ${span.toMs} ms but recording ${row.id} ${what} ${recordedMs} ms`);
    }
    if (this.active >= MAX_CONCURRENT_CLIPS) {
      this.failures.busy++;
      throw new ClipError(503, `${MAX_CONCURRENT_CLIPS} clips are being cut already: try again in a moment`);
    }
    this.active++;
    let released = false;
    const release = () => {
      if (!released) this.active--;
      released = true;
    };
    try {
      const video = await this.videoOf(row);
      if (video.samples.length === 0) throw new ClipError(404, `recording ${row.id} has no video yet`);
      let prepared: PreparedClip;
      try {
        prepared = await prepareClip(video, { ...span, tags: clipTags(row, span) });
      } catch (err) {
        if (err instanceof RangeError) throw this.refuse(416, `no picture of recording ${row.id} before ${span.toMs} ms: ${err.message}`);
        if (err instanceof ReencodeUnavailable) throw new ClipError(503, err.message);
        throw err;
      }
      return {
        ...prepared,
        write: async (sink) => {
          try {
            return await prepared.write(sink);
          } catch (err) {
            this.failures.failed++;
            throw err;
          } finally {
            release();
          }
        },
        cancel: release,
      };
    } catch (err) {
      release();
      if (!(err instanceof ClipError)) this.failures.failed++;
      throw err;
    }
  }

  /** The finished MP4 when it is there; else the live fragmented one (which may finish while we look). */
  private async videoOf(row: RecordingRow): Promise<VideoIndex> {
    const keys = blobKeys(row.id);
    for (let attempt = 0; attempt < 2; attempt++) {
      const finalSize = row.videoState === "ready" || attempt > 0 ? await this.store.size(keys.video) : null;
      if (finalSize !== null) return finalVideoIndex(storeReader(this.store, keys.video), finalSize);
      const liveSize = await this.store.size(keys.liveVideo);
      if (liveSize === null) continue;
      try {
        return await fragmentedVideoIndex(storeReader(this.store, keys.liveVideo), liveSize);
      } catch (err) {
        if (!(err instanceof BlobNotFoundError)) throw err; // finished meanwhile: look for the final file
      }
    }
    const why = row.videoState === "failed" ? `: ${row.error ?? "encoding failed"}` : " yet";
    throw new ClipError(404, `recording ${row.id} has no video${why}`);
  }

  private refuse(status: 400 | 404 | 416, message: string): ClipError {
    if (status !== 404) this.failures.badSpan++;
    return new ClipError(status, message);
  }
}

/** What goes into the clip's moov: enough to find the recording and the moment again. */
function clipTags(row: RecordingRow, span: ClipSpan): Array<[string, string]> {
  return [
    ["com.deskreel.recording_id", row.id],
    ["com.deskreel.clip_from_ms", String(span.fromMs)],
    ["com.deskreel.clip_to_ms", String(span.toMs)],
    ["com.deskreel.clip_start", new Date(row.startMs + span.fromMs).toISOString()],
    ["com.deskreel.clip_end", new Date(row.startMs + span.toMs).toISOString()],
    ["com.deskreel.desktop", row.desktopName],
    ["com.deskreel.user", row.user],
  ];
}
