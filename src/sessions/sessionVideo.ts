// One session's video: TDP pictures go to an encoder worker, encoded frames come back into a LiveVideo
// (growing fragmented MP4 + live viewers), and at the end the standard MP4 is written and catalogued.
// Used alike by live ingest and by import; the recording (events) never waits for anything here.
import type { Catalog } from "../catalog/catalog.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { windowSettledAt, type EncodeWindow } from "../video/compose/scheduler.ts";
import { LiveVideo } from "../video/liveVideo.ts";
import type { VideoPool, VideoSession, VideoSessionSummary } from "../video/pool/videoPool.ts";
import { blobKeys } from "./blobKeys.ts";
import { SampleSpool, SegmentJoiner } from "./parallelImport.ts";

export interface SessionVideoDeps {
  pool: VideoPool;
  store: BlobStore;
  catalog: Catalog;
  log: (line: string) => void;
}

export interface SessionVideoOptions {
  mode: "live" | "import";
  maxFps: number;
  keyframeMs: number;
  /**
   * Import only: encode the session as these consecutive windows of session time, each on its own
   * pool session (so on several workers), joined into one video. One window or none: a single run.
   */
  windows?: EncodeWindow[];
  /** Told about a tile the compositor rejected (bad PNG): live ingest relays it to the sender. */
  onBadInput?: (reason: string) => void;
}

/** One pool session encoding one window of the video. */
interface Segment {
  handle: VideoSession;
  /** Session time from which this window is complete, so its pool session can end early. */
  settledAtMs: number | null;
  ended: Promise<VideoSessionSummary> | null;
}

export class SessionVideo {
  readonly live: LiveVideo;
  private readonly segments: Segment[];
  private readonly joiner: SegmentJoiner;
  private failed: string | null = null;
  private thumbnailWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: SessionVideoDeps,
    readonly sessionId: string,
    options: SessionVideoOptions,
  ) {
    const keys = blobKeys(sessionId);
    this.live = new LiveVideo({ sessionId, store: deps.store, liveKey: keys.liveVideo, finalKey: keys.video, log: deps.log });
    const windows: Array<EncodeWindow | null> = options.mode === "import" && options.windows && options.windows.length > 1 ? options.windows : [null];
    const lastIndex = windows.length - 1;
    this.joiner = new SegmentJoiner(
      windows.length,
      {
        frame: (frame) => this.guard("frame", () => this.live.addSample(frame)),
        thumbnail: (png) => {
          this.thumbnailWrites = this.thumbnailWrites
            .then(() => deps.store.put(keys.thumbnail, png))
            .catch((err) => deps.log(`session ${sessionId}: thumbnail not stored: ${String(err)}`));
        },
      },
      (k) => new SampleSpool(deps.store, `${keys.video}.part${k}`),
    );
    this.segments = windows.map((window, k): Segment => {
      const poolId = k === 0 ? sessionId : `${sessionId}#part${k + 1}`;
      const poolOptions = { mode: options.mode, maxFps: options.maxFps, keyframeMs: options.keyframeMs, ...(window ? { encodeWindow: window } : {}) };
      const handle = deps.pool.openSession(poolId, poolOptions, {
        onConfig: (config) => this.guard("codec config", () => this.live.setConfig(config)),
        onFrame: (frame) => this.guard("frame", () => this.joiner.frame(k, frame)),
        onProblem: (problem) => {
          // Every segment sees the same messages: report a bad one once.
          if (problem.kind === "bad-input") {
            if (k === lastIndex) options.onBadInput?.(problem.reason);
          } else this.fail(problem.reason);
        },
        onThumbnail: (png) => this.joiner.thumbnail(k, png),
      });
      const settledAtMs = window?.untilMs != null ? windowSettledAt(window.untilMs) : null;
      return { handle, settledAtMs, ended: null };
    });
  }

  /** A TDP message at recording time `delayMs`; only pictures matter to the video. False: await drained(). */
  push(delayMs: number, tdp: Uint8Array): boolean {
    if (this.failed !== null) return true;
    let ready = true;
    this.segments.forEach((segment, k) => {
      if (segment.ended) return;
      if (!segment.handle.push(delayMs, tdp)) ready = false;
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
   * The session ended at recording time `endMs`: last frames out, standard MP4 written, catalogue updated.
   * Never throws: a video failure marks the video failed and leaves the recording alone.
   */
  async finish(endMs: number): Promise<void> {
    const { catalog, log } = this.deps;
    try {
      const summaries = await this.endAll(endMs);
      await this.joiner.settled();
      await this.thumbnailWrites;
      if (this.failed !== null) throw new Error(this.failed);
      if (summaries.some((s) => s.failed)) throw new Error("the encoder failed");
      if (this.joiner.error) throw this.joiner.error;
      const result = await this.live.finish(endMs);
      await catalog.updateRecording(this.sessionId, { videoState: "ready", videoDurationMs: Math.round(endMs), videoBytes: result.bytes });
      // The standard MP4 holds every frame now; the fragmented one would only double the storage.
      await this.deps.store.delete(blobKeys(this.sessionId).liveVideo).catch((err) => log(`session ${this.sessionId}: live video not removed: ${String(err)}`));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log(`session ${this.sessionId}: video failed: ${reason}`);
      await catalog.updateRecording(this.sessionId, { videoState: "failed", error: reason }).catch(() => undefined);
      await this.joiner.discard();
    }
  }

  /** Stop without a final MP4 (the session was refused or the server stops hard). */
  abandon(): void {
    this.endAll(0)
      .then(() => this.joiner.discard())
      .catch(() => undefined);
  }

  private endAll(endMs: number): Promise<VideoSessionSummary[]> {
    return Promise.all(this.segments.map((segment, k) => segment.ended ?? this.endSegment(k, endMs)));
  }

  private endSegment(k: number, endMs: number): Promise<VideoSessionSummary> {
    const segment = this.segments[k];
    segment.ended ??= segment.handle.end(endMs).then((summary) => {
      this.joiner.ended(k);
      return summary;
    });
    return segment.ended;
  }

  private guard(what: string, action: () => void): void {
    if (this.failed !== null) return;
    try {
      action();
    } catch (err) {
      this.fail(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private fail(reason: string): void {
    if (this.failed !== null) return;
    this.failed = reason;
    this.deps.log(`session ${this.sessionId}: video stopped: ${reason}`);
  }
}
