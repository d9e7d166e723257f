// One recording's video, from picture messages to stored MP4: the messages go to encoder worker(s) in the
// pool, the encoded frames come back into a LiveVideo (growing fragmented MP4 + live viewers), and at the
// end the standard MP4 is written. Two ways in, one way out:
// - live: one pool session, whose frames go straight into the LiveVideo;
// - import: the session's time split into windows, one pool session each (so several workers), their
//   frames joined in pts order by a SegmentJoiner before they reach the LiveVideo.
// Nothing here knows about catalogues or sessions: the caller is told how it ended.
import type { BlobStore } from "../storage/blobStore.ts";
import type { PictureMessage } from "../tdp/messages.ts";
import { windowSettledAt, type EncodeWindow } from "./compose/scheduler.ts";
import { LiveVideo } from "./liveVideo.ts";
import type { VideoFrame, VideoPool, VideoSession, VideoSessionSummary } from "./pool/videoPool.ts";
import { PreviewStore } from "./previewStore.ts";
import { SampleSpool, SegmentJoiner } from "./segments.ts";
import { errorMessage } from "../errorMessage.ts";

export interface RecordingVideoDeps {
  pool: VideoPool;
  store: BlobStore;
  log: (line: string) => void;
}

/** Where the video's objects go in the blob store. */
export interface VideoKeys {
  /** The growing fragmented MP4 (served while live; what a crash leaves). */
  live: string;
  /** The standard MP4 written at the end. */
  final: string;
  thumbnail: string;
  /** Prefix of the seek-bar preview sheets and their index.json (e.g. video/<id>/previews/); none: no previews. */
  previews?: string;
}

/** Told about picture input the compositor rejected or skipped (a bad PNG, a bad RDP update), once. */
export type BadPictureListener = (reason: string, atMs: number | null) => void;

export interface RecordingVideoOptions {
  keys: VideoKeys;
  maxFps: number;
  keyframeMs: number;
  /** Overlay the RDP pointer on frames (default true). */
  pointer?: boolean;
  onBadInput?: BadPictureListener;
}

export type LiveRecordingOptions = RecordingVideoOptions;

export interface ImportRecordingOptions extends RecordingVideoOptions {
  /** Consecutive windows of session time, each encoded on its own pool session. One or none: a single run. */
  windows?: EncodeWindow[];
}

/**
 * How a video ended. When ok, the MP4 is complete and may be listed at once; `extras` settles when the final
 * thumbnail and preview sheets are stored too (never rejects), which must come before the recording is sealed.
 */
export type VideoOutcome = { ok: true; bytes: number; durationMs: number; extras: Promise<void> } | { ok: false; reason: string };

/** Where one recording's encoded frames and thumbnails go, segment by segment. */
interface FrameSink {
  frame(segment: number, frame: VideoFrame): void;
  thumbnail(segment: number, png: Uint8Array): void;
  ended(segment: number): void;
  settled(): Promise<void>;
  readonly error: Error | null;
  discard(): Promise<void>;
}

/** A single segment: frames and thumbnails pass straight on. */
class DirectSink implements FrameSink {
  readonly error = null;
  constructor(private readonly out: { frame(frame: VideoFrame): void; thumbnail(png: Uint8Array): void }) {}
  frame(_segment: number, frame: VideoFrame): void {
    this.out.frame(frame);
  }
  thumbnail(_segment: number, png: Uint8Array): void {
    this.out.thumbnail(png);
  }
  ended(): void {}
  async settled(): Promise<void> {}
  async discard(): Promise<void> {}
}

/** One pool session encoding one window of the video. */
interface Segment {
  handle: VideoSession;
  /** Session time from which this window is complete, so its pool session can end early. */
  settledAtMs: number | null;
  ended: Promise<VideoSessionSummary> | null;
  /** Resolved once every frame of the window has been delivered, or the window ended without them. */
  over: PromiseWithResolvers<void>;
  /** True once the worker said its frames were done: a problem after it (the final thumbnail or sheet) spoils no frame. */
  framesAreDone: boolean;
}

export class RecordingVideo {
  readonly live: LiveVideo;
  private readonly segments: Segment[];
  private readonly sink: FrameSink;
  private failed: string | null = null;
  private thumbnailWrites: Promise<void> = Promise.resolve();
  private readonly previews: PreviewStore | null;

  /** A live session's video: frames are stored and shown to viewers as they come. */
  static live(deps: RecordingVideoDeps, id: string, options: LiveRecordingOptions): RecordingVideo {
    return new RecordingVideo(deps, id, "live", options, [null]);
  }

  /** An imported recording's video, encoded as fast as the pool allows, split into `windows`. */
  static import(deps: RecordingVideoDeps, id: string, options: ImportRecordingOptions): RecordingVideo {
    const windows = options.windows && options.windows.length > 1 ? options.windows : [null];
    return new RecordingVideo(deps, id, "import", options, windows);
  }

  private constructor(
    private readonly deps: RecordingVideoDeps,
    readonly id: string,
    mode: "live" | "import",
    private readonly options: RecordingVideoOptions,
    windows: Array<EncodeWindow | null>,
  ) {
    const { keys } = options;
    this.live = new LiveVideo({ sessionId: id, store: deps.store, liveKey: keys.live, finalKey: keys.final, log: deps.log });
    const out = {
      frame: (frame: VideoFrame) => this.guard("frame", () => this.live.addSample(frame)),
      thumbnail: (png: Uint8Array) => {
        this.thumbnailWrites = this.thumbnailWrites
          .then(() => deps.store.put(keys.thumbnail, png))
          .catch((err) => deps.log(`session ${id}: thumbnail not stored: ${String(err)}`));
      },
    };
    this.sink = windows.length === 1 ? new DirectSink(out) : new SegmentJoiner(windows.length, out, (k) => new SampleSpool(deps.store, `${keys.final}.part${k}`));
    const previews = keys.previews ? new PreviewStore(deps.store, keys.previews, deps.log) : null;
    this.previews = previews;
    const lastIndex = windows.length - 1;
    this.segments = windows.map((window, k): Segment => {
      const poolId = k === 0 ? id : `${id}#part${k + 1}`;
      const poolOptions = {
        mode, maxFps: options.maxFps, keyframeMs: options.keyframeMs, pointer: options.pointer, previews: previews !== null,
        ...(window ? { encodeWindow: window } : {}),
      };
      const handle = deps.pool.openSession(poolId, poolOptions, {
        onConfig: (config) => this.guard("codec config", () => this.live.setConfig(config)),
        onFrame: (frame) => this.guard("frame", () => this.sink.frame(k, frame)),
        onProblem: (problem) => {
          // Every segment sees the same messages: report a bad one once.
          if (problem.kind === "bad-input") {
            if (k === lastIndex) options.onBadInput?.(problem.reason, problem.atMs);
          } else if (this.segments[k].framesAreDone) deps.log(`session ${id}: video extras not made: ${problem.reason}`);
          else this.fail(problem.reason);
        },
        onThumbnail: (png) => this.sink.thumbnail(k, png),
        onPreview: (sheet) => previews?.add(sheet),
        onFramesDone: () => this.onFramesDone(k),
      });
      const settledAtMs = window?.untilMs != null ? windowSettledAt(window.untilMs) : null;
      return { handle, settledAtMs, ended: null, over: Promise.withResolvers<void>(), framesAreDone: false };
    });
  }

  /** A picture message at recording time `delayMs`. False: await drained() before pushing more. */
  push(delayMs: number, message: PictureMessage): boolean {
    if (this.failed !== null) return true;
    let ready = true;
    this.segments.forEach((segment, k) => {
      if (segment.ended) return;
      if (!segment.handle.push(delayMs, message)) ready = false;
      // This message settles the window: its frames are all decided once the worker applies it.
      if (segment.settledAtMs !== null && delayMs >= segment.settledAtMs) this.endSegment(k, delayMs);
    });
    return ready;
  }

  /** Resolves when the encoder's backlog is small again (import uses it to bound memory). */
  async drained(): Promise<void> {
    await Promise.all(this.segments.filter((s) => !s.ended).map((s) => s.handle.drain()));
  }

  get error(): string | null {
    return this.failed;
  }

  /**
   * The recording ended at `endMs`: last frames out and the standard MP4 written (while the workers make
   * the final thumbnail and preview sheet), then, in `extras`, those stored and the live file removed.
   * Never throws: a failure is the outcome, and whatever was spooled is dropped.
   */
  async finish(endMs: number): Promise<VideoOutcome> {
    const ended = this.endAll(endMs);
    try {
      await Promise.all(this.segments.map((s) => s.over.promise));
      await this.sink.settled();
      if (this.failed !== null) throw new Error(this.failed);
      // A window that ended without saying its frames were done did not finish normally.
      if (this.segments.some((s) => !s.framesAreDone)) throw new Error("the encoder failed");
      if (this.sink.error) throw this.sink.error;
      const result = await this.live.finish(endMs);
      return { ok: true, bytes: result.bytes, durationMs: Math.round(endMs), extras: this.extrasStored(ended).then(() => this.removeLiveFile()) };
    } catch (err) {
      const reason = errorMessage(err);
      this.deps.log(`session ${this.id}: video failed: ${reason}`);
      // A failed video is listed and sealed too: nothing of it may be stored after that.
      await this.extrasStored(ended);
      await this.sink.discard().catch(() => undefined);
      return { ok: false, reason };
    }
  }

  /** Every window ended and its final thumbnail and sheets stored (or their failure logged). Never rejects. */
  private async extrasStored(ended: Promise<VideoSessionSummary[]>): Promise<void> {
    await ended;
    await this.thumbnailWrites;
    await this.previews?.complete();
  }

  /** The standard MP4 holds every frame now; the fragmented one would only double the storage. */
  private async removeLiveFile(): Promise<void> {
    await this.deps.store.delete(this.options.keys.live).catch((err) => this.deps.log(`session ${this.id}: live video not removed: ${String(err)}`));
  }

  /** Stop without a final MP4 (the session was refused or the server stops hard). */
  abandon(): void {
    this.endAll(0)
      .then(() => this.sink.discard())
      .catch(() => undefined);
  }

  private endAll(endMs: number): Promise<VideoSessionSummary[]> {
    return Promise.all(this.segments.map((segment, k) => segment.ended ?? this.endSegment(k, endMs)));
  }

  private endSegment(k: number, endMs: number): Promise<VideoSessionSummary> {
    const segment = this.segments[k];
    segment.ended ??= segment.handle.end(endMs).then((summary) => {
      // A window that failed never said its frames were done.
      if (!segment.framesAreDone) this.windowOver(k);
      return summary;
    });
    return segment.ended;
  }

  /** The worker delivered every frame of window `k`: the joiner may move on, the MP4 may be finished. */
  private onFramesDone(k: number): void {
    const segment = this.segments[k];
    if (segment.framesAreDone) return;
    segment.framesAreDone = true;
    this.windowOver(k);
  }

  private windowOver(k: number): void {
    this.sink.ended(k);
    this.segments[k].over.resolve();
  }

  private guard(what: string, action: () => void): void {
    if (this.failed !== null) return;
    try {
      action();
    } catch (err) {
      this.fail(`${what}: ${errorMessage(err)}`);
    }
  }

  private fail(reason: string): void {
    if (this.failed !== null) return;
    this.failed = reason;
    this.deps.log(`session ${this.id}: video stopped: ${reason}`);
  }
}
