// The sink between a session's encoder and storage. Each encoded frame becomes one fragment of a
// fragmented MP4 the moment it arrives: appended to the live object (what video.mp4 serves while the
// session runs, and what a crash leaves behind) and pushed to live viewers. When the session ends, the
// standard MP4 (moov first, exact durations) is written from the live object's bytes.
//
// Timing: sample times are session ms (video time 0 = the first recorded TDP message). A frame's duration
// is known only when the next frame arrives, so fragments carry a provisional duration and the next
// fragment's tfdt carries the true time (see mp4/liveTiming.ts for why the stored file and live viewers
// get different guesses).
//
// What a live MSE player does with `subscribe`:
// - append the init segment, then every fragment as it comes; after the first batch (the replay from the
//   last keyframe, with exact durations) set currentTime to the newest fragment's ptsMs and play;
// - take the live edge from `info.ptsMs` plus wall time since it arrived, not from `buffered.end` (the
//   newest frame's provisional duration reaches an hour ahead); an idle screen simply keeps playing the
//   last picture, and a new frame is shown when its time comes (or at once if it arrives late);
// - seeking back inside live-appended data would show an earlier picture (the durations there overlap):
//   scrub back with the file (video.mp4, which seeks exactly), or re-append with durations taken from
//   the next fragment's tfdt;
// - on end: stop at `endMs` (don't call endOfStream(), which would stretch the duration to the buffered
//   end) and switch to video.mp4 once the final file is written.

import type { AppendHandle, BlobStore } from "../storage/blobStore.ts";
import { avcCodecString, sameCodecConfig } from "./mp4/avc.ts";
import { writeFinalMp4, type FinalMp4Result } from "./mp4/final.ts";
import { encodeMediaFragment, initSegment } from "./mp4/fragmented.ts";
import { appendHandleSink, storeReader } from "./storeIo.ts";
import { LIVE_PROVISIONAL_DURATION_MS, STORED_PROVISIONAL_DURATION_MS } from "./mp4/liveTiming.ts";
import { readFragmentedMp4 } from "./mp4/reader.ts";
import type { EncodedSample, StoredSample, VideoCodecConfig } from "./mp4/types.ts";
import { concatBytes } from "../bytes.ts";
import { errorMessage } from "../errorMessage.ts";

export interface LiveChunkInfo {
  kind: "init" | "fragment";
  /** Session time of the fragment's frame (0 for the init segment). */
  ptsMs: number;
  isKey: boolean;
}

export type LiveChunkListener = (chunk: Uint8Array, info: LiveChunkInfo) => void;

export interface LiveEndInfo {
  /** Recording time at which the session ended: the video's duration. */
  endMs: number;
}

export interface LiveVideoStats {
  samples: number;
  keyframes: number;
  /** Bytes of the live fragmented MP4 so far. */
  bytes: number;
  /** The final duration once finished; while live, the time of the newest frame. */
  durationMs: number;
  lastPtsMs: number | null;
  /** Bytes made but not stored yet (storage is failing), and failed attempts to store so far. */
  unstoredBytes: number;
  storageFailures: number;
}

export interface LiveVideoOptions {
  sessionId: string;
  store: BlobStore;
  liveKey: string;
  finalKey: string;
  log?: (message: string) => void;
  /**
   * While storage fails, encoded fragments wait in memory and are retried (a short disk-full spell must
   * not cost the video): at most this many bytes (default 64 MiB, minutes of 1080p) before giving up.
   */
  maxUnstoredBytes?: number;
  /** How long finish() keeps retrying the last fragments and the final MP4 (default 60 s). */
  storageWaitMs?: number;
}

/** Retry delays while storage fails: first, then doubled up to the cap (each retry is a probe). */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 1000;

interface PendingFrame {
  sequence: number;
  ptsMs: number;
  isKey: boolean;
  data: Uint8Array;
}

interface SampleLocation {
  offset: number;
  size: number;
  ptsMs: number;
  isKey: boolean;
}

/** Duration of the last frame of a finished video: from its time to the end, at least 1 ms. */
function lastFrameDuration(endMs: number, lastPtsMs: number): number {
  return Math.max(1, Math.round(endMs) - lastPtsMs);
}

export class LiveVideo {
  readonly sessionId: string;
  private readonly store: BlobStore;
  private readonly liveKey: string;
  private readonly finalKey: string;
  private readonly log: (message: string) => void;

  private config: VideoCodecConfig | null = null;
  private init: Uint8Array | null = null;
  private readonly samples: SampleLocation[] = [];
  private keyframes = 0;
  /** Frames since the last keyframe, replayed to a viewer who joins. */
  private gop: PendingFrame[] = [];
  private sequence = 0;
  private liveBytes = 0;
  private endMs: number | null = null;

  private readonly listeners = new Set<LiveChunkListener>();
  private readonly endListeners = new Set<(info: LiveEndInfo) => void>();

  private handle: AppendHandle | null = null;
  private started = false;
  private writeQueue: Uint8Array[] = [];
  /** Bytes added but not yet in the live object (queued, or being retried). */
  private unstoredBytes = 0;
  private readonly maxUnstoredBytes: number;
  private readonly storageWaitMs: number;
  /** Wall time after which retrying stops (set by finish()). */
  private retryDeadline = Infinity;
  private writing: Promise<void> = Promise.resolve();
  private writeError: Error | null = null;
  private storageFailures = 0;
  /** An append failed and is being retried. */
  private retrying = false;

  constructor(options: LiveVideoOptions) {
    this.sessionId = options.sessionId;
    this.store = options.store;
    this.liveKey = options.liveKey;
    this.finalKey = options.finalKey;
    this.log = options.log ?? ((message) => console.warn(message));
    this.maxUnstoredBytes = options.maxUnstoredBytes ?? 64 * 1024 * 1024;
    this.storageWaitMs = options.storageWaitMs ?? 60_000;
  }

  /** The MSE type for this session's stream, e.g. `video/mp4; codecs="avc1.42E01F"`; null before the config. */
  mimeType(): string | null {
    return this.config ? `video/mp4; codecs="${avcCodecString(this.config.sps[0])}"` : null;
  }

  /** Starts the live file with its init segment. The same config again is a no-op; a different one throws. */
  setConfig(config: VideoCodecConfig): void {
    this.throwIfUnusable();
    if (this.config) {
      if (sameCodecConfig(this.config, config)) return;
      throw new Error(
        `session ${this.sessionId}: video config changed mid-session ` +
          `(${this.config.width}x${this.config.height} -> ${config.width}x${config.height} or new SPS/PPS); ` +
          "one MP4 track holds one stream, so the encoder must keep its output size and parameters",
      );
    }
    const init = initSegment(config);
    this.config = config;
    this.init = init;
    this.started = true;
    this.enqueueWrite(init);
    this.broadcast(init, { kind: "init", ptsMs: 0, isKey: false });
  }

  /** Adds the next encoded frame: stored and sent to viewers at once. */
  addSample(sample: EncodedSample): void {
    this.throwIfUnusable();
    if (!this.config) throw new Error(`session ${this.sessionId}: video sample before the codec config`);
    const ptsMs = Math.round(sample.ptsMs);
    const last = this.samples[this.samples.length - 1];
    if (!Number.isFinite(sample.ptsMs) || ptsMs < 0) {
      throw new Error(`session ${this.sessionId}: bad video sample time ${sample.ptsMs}`);
    }
    if (last && ptsMs <= last.ptsMs) {
      throw new Error(`session ${this.sessionId}: video sample at ${ptsMs} ms is not after the previous one (${last.ptsMs} ms)`);
    }
    if (!last && !sample.isKey) throw new Error(`session ${this.sessionId}: the first video sample must be a keyframe`);
    if (sample.data.length === 0) throw new Error(`session ${this.sessionId}: empty video sample at ${ptsMs} ms`);

    const frame: PendingFrame = { sequence: ++this.sequence, ptsMs, isKey: sample.isKey, data: sample.data };
    const stored = this.fragmentFor(frame, STORED_PROVISIONAL_DURATION_MS);
    this.samples.push({ offset: this.liveBytes + stored.sampleOffsets[0], size: frame.data.length, ptsMs, isKey: frame.isKey });
    if (frame.isKey) {
      this.keyframes++;
      this.gop = [];
    }
    this.gop.push(frame);
    this.enqueueWrite(stored.bytes);
    if (this.listeners.size > 0) {
      const live = this.fragmentFor(frame, LIVE_PROVISIONAL_DURATION_MS).bytes;
      this.broadcast(live, { kind: "fragment", ptsMs, isKey: frame.isKey });
    }
  }

  /**
   * Whether the encoder should make the frame at `ptsMs` a keyframe: the first frame, and a frame after an
   * idle gap so long that MSE would see a discontinuity and drop the non-keyframes after it.
   */
  keyframeAdvised(ptsMs: number): boolean {
    const last = this.samples[this.samples.length - 1];
    return !last || ptsMs - last.ptsMs > 2 * LIVE_PROVISIONAL_DURATION_MS;
  }

  /**
   * A viewer gets the init segment and the fragments from the last keyframe on (durations exact except
   * the newest frame's), then each new fragment. Returns the unsubscribe function.
   */
  subscribe(listener: LiveChunkListener): () => void {
    if (this.init) {
      this.deliver(listener, this.init, { kind: "init", ptsMs: 0, isKey: false });
      this.gop.forEach((frame, i) => {
        const next = this.gop[i + 1];
        const duration = next
          ? next.ptsMs - frame.ptsMs
          : this.endMs !== null
            ? lastFrameDuration(this.endMs, frame.ptsMs)
            : LIVE_PROVISIONAL_DURATION_MS;
        const bytes = this.fragmentFor(frame, duration).bytes;
        this.deliver(listener, bytes, { kind: "fragment", ptsMs: frame.ptsMs, isKey: frame.isKey });
      });
    }
    if (this.endMs === null) this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Called once when the session ends (at once, asynchronously, if it already has). */
  onEnd(listener: (info: LiveEndInfo) => void): () => void {
    if (this.endMs !== null) {
      const info = { endMs: this.endMs };
      queueMicrotask(() => listener(info));
      return () => undefined;
    }
    this.endListeners.add(listener);
    return () => {
      this.endListeners.delete(listener);
    };
  }

  stats(): LiveVideoStats {
    const last = this.samples[this.samples.length - 1];
    return {
      samples: this.samples.length,
      keyframes: this.keyframes,
      bytes: this.liveBytes,
      unstoredBytes: this.unstoredBytes,
      storageFailures: this.storageFailures,
      durationMs: this.endMs ?? last?.ptsMs ?? 0,
      lastPtsMs: last?.ptsMs ?? null,
    };
  }

  /** Resolves when everything added so far is in the live object; rejects if storing failed. */
  async flushed(): Promise<void> {
    await this.writing;
    if (this.writeError) throw this.writeError;
  }

  /**
   * The session ended at recording time `endMs`: live viewers are told, the live object is completed and
   * the standard MP4 is written to the final key from its bytes.
   */
  async finish(endMs: number): Promise<FinalMp4Result> {
    this.throwIfUnusable();
    if (!Number.isFinite(endMs) || endMs < 0) throw new Error(`session ${this.sessionId}: bad end time ${endMs}`);
    this.endMs = Math.round(endMs);
    this.listeners.clear();
    const info = { endMs: this.endMs };
    for (const listener of this.endListeners) this.callSafely(() => listener(info), "end listener");
    this.endListeners.clear();

    this.retryDeadline = Date.now() + this.storageWaitMs;
    await this.flushed();
    // The standard MP4 written next supersedes the live file (removed once the session's extras are stored), and
    // that MP4 is synced before it is listed: the live file's own last fdatasync would only delay the listing.
    if (this.handle) await this.handle.close({ sync: false });
    if (this.samples.length === 0 || !this.config) {
      throw new Error(`session ${this.sessionId}: no video was recorded, so there is no MP4 to write`);
    }
    const config = this.config;
    const samples = this.samples.map((s, i): StoredSample => {
      const next = this.samples[i + 1];
      const durationMs = next ? next.ptsMs - s.ptsMs : lastFrameDuration(endMs, s.ptsMs);
      return { offset: s.offset, size: s.size, dtsMs: s.ptsMs, durationMs, isKey: s.isKey };
    });
    for (let delay = RETRY_FIRST_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        const sink = appendHandleSink(await this.store.openAppend(this.finalKey));
        return await writeFinalMp4({ config, samples, read: storeReader(this.store, this.liveKey) }, sink);
      } catch (error) {
        // A storage failure is retried until the deadline; a half-written final file goes first.
        await this.store.delete(this.finalKey).catch(() => undefined);
        if (Date.now() + delay > this.retryDeadline) {
          throw new Error(`session ${this.sessionId}: writing the final MP4 failed: ${errorMessage(error)}`, { cause: error });
        }
        this.noteStorageFailure(`writing the final MP4 "${this.finalKey}"`, error, delay);
        await Bun.sleep(delay);
      }
    }
  }

  /**
   * Finalizes the live file a crashed process left behind: the complete fragments become a standard MP4
   * at `finalKey`; a fragment cut short is ignored. Without `endMs` the video ends one nominal frame
   * after its last frame.
   */
  static async recoverFromLiveFile(
    store: BlobStore,
    liveKey: string,
    finalKey: string,
    endMs?: number,
  ): Promise<FinalMp4Result & { ignoredBytes: number }> {
    const size = await store.size(liveKey);
    if (size === null) throw new Error(`cannot recover video: live file "${liveKey}" does not exist`);
    const read = storeReader(store, liveKey);
    const parsed = await readFragmentedMp4({ read, size });
    if (parsed.samples.length === 0) throw new Error(`cannot recover video: "${liveKey}" holds no complete frame`);
    const samples = parsed.samples.slice();
    const last = samples[samples.length - 1];
    const durationMs = endMs === undefined ? STORED_PROVISIONAL_DURATION_MS : lastFrameDuration(endMs, last.dtsMs);
    samples[samples.length - 1] = { ...last, durationMs };
    const sink = appendHandleSink(await store.openAppend(finalKey));
    const result = await writeFinalMp4({ config: parsed.config, samples, read }, sink);
    return { ...result, ignoredBytes: parsed.ignoredBytes };
  }

  private fragmentFor(frame: PendingFrame, durationMs: number) {
    return encodeMediaFragment(frame.sequence, [{ data: frame.data, isKey: frame.isKey, dtsMs: frame.ptsMs, durationMs }]);
  }

  private throwIfUnusable(): void {
    if (this.endMs !== null) throw new Error(`session ${this.sessionId}: video already finished`);
    if (this.writeError) throw this.writeError;
  }

  /**
   * Appends in call order; fragments that queue up while a write runs go out together in one append.
   * A failed append is retried (the store cuts off a partial write, so the same bytes land at the same
   * offset) while the unstored bytes stay within maxUnstoredBytes; past that the video is given up.
   */
  private enqueueWrite(bytes: Uint8Array): void {
    this.liveBytes += bytes.length;
    this.unstoredBytes += bytes.length;
    // Only bytes held back by failing storage count against the bound, not a normal write queue.
    if (this.retrying && this.unstoredBytes > this.maxUnstoredBytes && !this.writeError) {
      this.writeError = new Error(
        `session ${this.sessionId}: storing live video "${this.liveKey}" failed: storage did not take the video for too long ` +
          `(${this.unstoredBytes} bytes waiting, limit ${this.maxUnstoredBytes})`,
      );
      this.log(this.writeError.message);
      this.writeQueue = [];
      return;
    }
    this.writeQueue.push(bytes);
    if (this.writeQueue.length > 1) return; // a drain is already scheduled for this batch
    this.writing = this.writing.then(async () => {
      const batch = concatBytes(this.writeQueue);
      this.writeQueue = [];
      if (this.writeError || !this.started) return;
      for (let delay = RETRY_FIRST_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
        try {
          if (this.handle === null) {
            // An open that failed half-way may have left an empty file behind: ours to replace.
            if (this.storageFailures > 0) await this.store.delete(this.liveKey);
            this.handle = await this.store.openAppend(this.liveKey);
          }
          await this.handle.append(batch);
          this.unstoredBytes -= batch.length;
          if (this.retrying) this.log(`session ${this.sessionId}: live video stored again`);
          this.retrying = false;
          return;
        } catch (error) {
          if (this.writeError) return;
          if (Date.now() + delay > this.retryDeadline) {
            this.writeError = new Error(`session ${this.sessionId}: storing live video "${this.liveKey}" failed: ${errorMessage(error)}`, {
              cause: error,
            });
            this.log(this.writeError.message);
            return;
          }
          this.retrying = true;
          this.noteStorageFailure(`storing live video "${this.liveKey}"`, error, delay);
          await Bun.sleep(delay);
        }
      }
    });
  }

  private noteStorageFailure(what: string, error: unknown, delay: number): void {
    // One line when the trouble starts, then one every ~30 failures: a long outage must not flood the log.
    if (this.storageFailures++ % 30 === 0) this.log(`session ${this.sessionId}: ${what} failed (${errorMessage(error)}); retrying every ≤${RETRY_MAX_MS} ms, ${delay} ms now`);
  }

  private broadcast(chunk: Uint8Array, info: LiveChunkInfo): void {
    for (const listener of this.listeners) this.deliver(listener, chunk, info);
  }

  private deliver(listener: LiveChunkListener, chunk: Uint8Array, info: LiveChunkInfo): void {
    const ok = this.callSafely(() => listener(chunk, info), "live viewer");
    if (!ok) this.listeners.delete(listener); // a viewer that throws is dropped, the session goes on
  }

  private callSafely(call: () => void, what: string): boolean {
    try {
      call();
      return true;
    } catch (error) {
      this.log(`session ${this.sessionId}: ${what} failed: ${errorMessage(error)}`);
      return false;
    }
  }
}
