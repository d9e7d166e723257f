// One session's video: TDP pictures go to an encoder worker, encoded frames come back into a LiveVideo
// (growing fragmented MP4 + live viewers), and at the end the standard MP4 is written and catalogued.
// Used alike by live ingest and by import; the recording (events) never waits for anything here.
import type { Catalog } from "../catalog/catalog.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { LiveVideo } from "../video/liveVideo.ts";
import type { VideoPool, VideoSession } from "../video/pool/videoPool.ts";
import { blobKeys } from "./blobKeys.ts";

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
  /** Told about a tile the compositor rejected (bad PNG): live ingest relays it to the sender. */
  onBadInput?: (reason: string) => void;
}

export class SessionVideo {
  readonly live: LiveVideo;
  private readonly handle: VideoSession;
  private failed: string | null = null;
  private thumbnailWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: SessionVideoDeps,
    readonly sessionId: string,
    options: SessionVideoOptions,
  ) {
    const keys = blobKeys(sessionId);
    this.live = new LiveVideo({ sessionId, store: deps.store, liveKey: keys.liveVideo, finalKey: keys.video, log: deps.log });
    this.handle = deps.pool.openSession(sessionId, { mode: options.mode, maxFps: options.maxFps, keyframeMs: options.keyframeMs }, {
      onConfig: (config) => this.guard("codec config", () => this.live.setConfig(config)),
      onFrame: (frame) => this.guard("frame", () => this.live.addSample(frame)),
      onProblem: (problem) => {
        if (problem.kind === "bad-input") options.onBadInput?.(problem.reason);
        else this.fail(problem.reason);
      },
      onThumbnail: (png) => {
        this.thumbnailWrites = this.thumbnailWrites
          .then(() => deps.store.put(keys.thumbnail, png))
          .catch((err) => deps.log(`session ${sessionId}: thumbnail not stored: ${String(err)}`));
      },
    });
  }

  /** A TDP message at recording time `delayMs`; only pictures matter to the video. False: await drained(). */
  push(delayMs: number, tdp: Uint8Array): boolean {
    return this.failed !== null || this.handle.push(delayMs, tdp);
  }

  /** Resolves when the encoder's backlog is small again (import uses it to bound memory). */
  drained(): Promise<void> {
    return this.handle.drain();
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
      const summary = await this.handle.end(endMs);
      await this.thumbnailWrites;
      if (this.failed !== null) throw new Error(this.failed);
      if (summary.failed) throw new Error("the encoder failed");
      const result = await this.live.finish(endMs);
      await catalog.updateRecording(this.sessionId, { videoState: "ready", videoDurationMs: Math.round(endMs), videoBytes: result.bytes });
      // The standard MP4 holds every frame now; the fragmented one would only double the storage.
      await this.deps.store.delete(blobKeys(this.sessionId).liveVideo).catch((err) => log(`session ${this.sessionId}: live video not removed: ${String(err)}`));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log(`session ${this.sessionId}: video failed: ${reason}`);
      await catalog.updateRecording(this.sessionId, { videoState: "failed", error: reason }).catch(() => undefined);
    }
  }

  /** Stop without a final MP4 (the session was refused or the server stops hard). */
  abandon(): void {
    this.handle.end(0).catch(() => undefined);
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
