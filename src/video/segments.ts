// Import split across the pool's workers by time: each worker's segment of frames is joined, in pts
// order, into the one LiveVideo. SegmentJoiner passes the first unfinished segment's frames straight
// through and spools the later ones' frames to a temporary blob (memory holds only their index),
// copying them in once every earlier segment has ended. (FramePlan picks the windows.)
import type { AppendHandle, BlobStore } from "../storage/blobStore.ts";
import { concatBytes } from "../bytes.ts";
import type { VideoFrame } from "./pool/videoPool.ts";
import { errorMessage } from "../errorMessage.ts";

/** Spooled samples are read back in chunks of about this size. */
const REPLAY_CHUNK_BYTES = 4 * 1024 * 1024;

interface SpooledSample {
  offset: number;
  size: number;
  ptsMs: number;
  isKey: boolean;
}

/** A later segment's encoded frames, parked in a temporary blob until their turn. */
export class SampleSpool {
  private readonly index: SpooledSample[] = [];
  private bytes = 0;
  private handle: Promise<AppendHandle> | null = null;
  private queue: Uint8Array[] = [];
  private writing: Promise<void> = Promise.resolve();
  private error: Error | null = null;

  constructor(
    private readonly store: BlobStore,
    readonly key: string,
  ) {}

  get samples(): number {
    return this.index.length;
  }

  add(frame: VideoFrame): void {
    this.index.push({ offset: this.bytes, size: frame.data.length, ptsMs: frame.ptsMs, isKey: frame.isKey });
    this.bytes += frame.data.length;
    // A blob left by a crashed import of the same id must not block this one.
    this.handle ??= this.store.delete(this.key).then(() => this.store.openAppend(this.key));
    this.handle.catch(() => undefined); // surfaced through the write loop
    this.queue.push(frame.data);
    if (this.queue.length > 1) return; // a write for this batch is already queued
    const handle = this.handle;
    this.writing = this.writing.then(async () => {
      const batch = this.queue;
      this.queue = [];
      if (this.error) return;
      try {
        await (await handle).append(batch.length === 1 ? batch[0] : concatBytes(batch));
      } catch (err) {
        this.error = new Error(`spooling video samples to ${this.key} failed: ${errorMessage(err)}`, { cause: err });
      }
    });
  }

  /** Hands every sample to `deliver` in order, including those added while this runs. */
  async replay(deliver: (frame: VideoFrame) => void): Promise<void> {
    let next = 0;
    while (next < this.index.length) {
      await this.writing;
      if (this.error) throw this.error;
      const first = this.index[next];
      let end = next + 1;
      while (end < this.index.length && this.index[end].offset + this.index[end].size - first.offset <= REPLAY_CHUNK_BYTES) end++;
      const lastSample = this.index[end - 1];
      const chunk = await this.store.getRange(this.key, first.offset, lastSample.offset + lastSample.size);
      if (chunk.length !== lastSample.offset + lastSample.size - first.offset) throw new Error(`spooled video samples in ${this.key} are cut short`);
      for (let i = next; i < end; i++) {
        const s = this.index[i];
        deliver({ ptsMs: s.ptsMs, isKey: s.isKey, data: chunk.slice(s.offset - first.offset, s.offset - first.offset + s.size) });
      }
      next = end;
    }
  }

  /** Removes the temporary blob. */
  async discard(): Promise<void> {
    if (!this.handle) return;
    await this.writing;
    await (await this.handle).close().catch(() => undefined);
    await this.store.delete(this.key);
  }
}

export interface JoinedSink {
  frame(frame: VideoFrame): void;
  thumbnail(png: Uint8Array): void;
}

interface SegmentState {
  ended: boolean;
  spool: SampleSpool | null;
  thumbnails: Uint8Array[];
}

/** Joins the frames of N segments (each in pts order, segment k before k+1) into one ordered stream. */
export class SegmentJoiner {
  private readonly segments: SegmentState[];
  private current = 0;
  /** True while the current segment's spooled frames are copied in: its new frames queue behind them. */
  private replaying = false;
  private advancing: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  constructor(
    count: number,
    private readonly sink: JoinedSink,
    private readonly spoolFor: (segment: number) => SampleSpool,
  ) {
    this.segments = Array.from({ length: count }, () => ({ ended: false, spool: null, thumbnails: [] }));
  }

  get error(): Error | null {
    return this.failure;
  }

  frame(segment: number, frame: VideoFrame): void {
    if (this.passesThrough(segment)) {
      this.sink.frame(frame);
      return;
    }
    const state = this.segments[segment];
    state.spool ??= this.spoolFor(segment);
    state.spool.add(frame);
  }

  thumbnail(segment: number, png: Uint8Array): void {
    if (this.passesThrough(segment)) this.sink.thumbnail(png);
    else this.segments[segment].thumbnails.push(png);
  }

  /** Segment `segment` has delivered all its frames. */
  ended(segment: number): void {
    this.segments[segment].ended = true;
    this.advancing = this.advancing.then(() => this.advance()).catch((err: unknown) => {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
    });
  }

  /** Resolves once every ended segment's frames are in the sink (check `error` afterwards). */
  async settled(): Promise<void> {
    await this.advancing;
  }

  /** Drops whatever is spooled (the video was abandoned or failed). */
  async discard(): Promise<void> {
    await this.advancing;
    await Promise.all(this.segments.map((s) => s.spool?.discard().catch(() => undefined)));
  }

  private passesThrough(segment: number): boolean {
    return segment === this.current && !this.replaying;
  }

  private async advance(): Promise<void> {
    while (this.failure === null && this.current < this.segments.length - 1 && this.segments[this.current].ended) {
      this.current++;
      const state = this.segments[this.current];
      const spool = state.spool;
      if (spool) {
        this.replaying = true;
        try {
          await spool.replay((frame) => this.sink.frame(frame));
        } finally {
          // Synchronously after the last check in replay(): no frame can slip in between.
          this.replaying = false;
        }
      }
      state.spool = null;
      for (const png of state.thumbnails.splice(0)) this.sink.thumbnail(png);
      await spool?.discard();
    }
  }
}
