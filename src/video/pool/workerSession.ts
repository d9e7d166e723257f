// One session's video inside a worker: messages in order through the compositor, the scheduler
// deciding when to take a frame, the encoder turning it into H.264. Frames, thumbnails and problems
// go out through `post`. All work for a session runs on one promise chain, so it never interleaves
// with itself, and yields to the event loop after each frame (new batches get queued meanwhile).
import type { PictureMessage } from "../../tdp/messages.ts";
import { Compositor, DEFAULT_THUMBNAIL_WIDTH } from "../compose/compositor.ts";
import { videoSizeFor, type Size } from "../compose/fit.ts";
import { FrameScheduler, WindowedFrames, type FrameDecision } from "../compose/scheduler.ts";
import { PreviewSheets, type PreviewSheet } from "../compose/previewSheets.ts";
import type { EncoderPreference } from "../encoder/preference.ts";
import { EncoderFailure, type EncodedFrame, type H264Encoder } from "../encoder/types.ts";
import { batchLength, pictureAt, pictureWeight, type PictureBatch } from "./pictureBatch.ts";
import type { SessionProgress, VideoProblemKind, WorkerSessionOptions, WorkerToMain } from "./protocol.ts";
import { errorMessage } from "../../errorMessage.ts";
import { yieldToLoop } from "../../eventLoop.ts";

export type Post = (message: WorkerToMain, transfer?: Transferable[]) => void;
export type EncoderFactory = (options: { qp?: number; prefer?: EncoderPreference }) => Promise<H264Encoder>;

/** The early thumbnail waits for this much content after the first frame. */
export const EARLY_THUMBNAIL_AFTER_MS = 3000;
/** Yield to the event loop at least this often while applying messages. */
const MESSAGES_PER_YIELD = 256;


export class WorkerSession {
  private readonly compositor: Compositor;
  private readonly scheduler: FrameScheduler;
  /** Set when this run encodes only a slice of the session's frames (parallel import). */
  private readonly window: WindowedFrames | null;
  private encoder: H264Encoder | null = null;
  private videoSize: Size | null = null;
  private readonly batches: PictureBatch[] = [];
  private cursor = 0;
  private endMs: number | null = null;
  private newestMs = 0;
  private firstFramePts: number | null = null;
  /** When each picture still inside the encoder was read back (performance.now()), oldest first. */
  private readonly inFlight: { ptsMs: number; startedAt: number }[] = [];
  private earlyThumbnailDone = false;
  private failed = false;
  private done = false;
  private chain: Promise<void> = Promise.resolve();
  private pumpQueued = false;
  private busyMs = 0;
  private readonly progress: SessionProgress;
  private readonly previews: PreviewSheets | null;

  constructor(
    readonly id: string,
    private readonly options: WorkerSessionOptions,
    private readonly post: Post,
    private readonly createEncoder: EncoderFactory,
    /** Called when the shared encoder module is dead: the whole worker must go. */
    private readonly onFatal: (reason: string) => void,
  ) {
    this.scheduler = new FrameScheduler({ mode: options.mode, maxFps: options.maxFps, keyframeMs: options.keyframeMs });
    this.compositor = new Compositor({ pointer: options.pointer });
    this.window = options.encodeWindow ? new WindowedFrames(options.encodeWindow) : null;
    // Each import window makes the tiles of its own frames; its sheets are named apart from the others'.
    this.previews = options.previews === false ? null : new PreviewSheets({ live: options.mode === "live", prefix: `${Math.round(options.encodeWindow?.fromMs ?? 0)}-` });
    this.progress = { processedMs: 0, processedMessages: 0, processedBytes: 0, frames: 0, keyframes: 0, droppedFrames: 0, sameFrames: 0, encodedBytes: 0, intervalMs: 1000 / (options.maxFps ?? 10) };
  }

  get finished(): boolean {
    return this.done;
  }

  push(batch: PictureBatch): void {
    if (this.failed || this.done) return;
    this.batches.push(batch);
    this.newestMs = Math.max(this.newestMs, batch.newestMs);
    this.schedulePump();
  }

  end(endMs: number): void {
    this.endMs = endMs;
    this.schedulePump();
  }

  /** Live sessions: flush a pending picture once the wire has been quiet (called on a timer). */
  tick(wallMs: number): void {
    if (this.failed || this.done || this.pumpQueued || this.options.mode !== "live" || !this.scheduler.pending) return;
    if (this.batches.length > 0) return;
    this.run(async () => {
      const decision = this.scheduler.poll(wallMs);
      if (decision) await this.takeFrame(decision);
    });
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    this.run(async () => {
      this.pumpQueued = false;
      await this.pump();
    });
  }

  private run(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((e: unknown) => this.fail(e));
  }

  private async pump(): Promise<void> {
    let sinceYield = 0;
    while (!this.failed && !this.done) {
      const batch = this.batches[0];
      if (!batch) break;
      if (this.cursor >= batchLength(batch)) {
        this.batches.shift();
        this.cursor = 0;
        continue;
      }
      const i = this.cursor++;
      const tookFrame = await this.handle(batch.times[i], pictureAt(batch, i), batch.firstIndex + i);
      if (tookFrame || ++sinceYield >= MESSAGES_PER_YIELD) {
        sinceYield = 0;
        this.postProgress();
        await yieldToLoop();
      }
    }
    if (this.failed || this.done) return;
    this.postProgress();
    if (this.endMs !== null && this.batches.length === 0) await this.finish(this.endMs);
  }

  /** Applies one message; true when a frame was taken before it. */
  private async handle(t: number, message: PictureMessage, index: number): Promise<boolean> {
    const started = performance.now();
    const decision = this.scheduler.beforeMessage(t, Math.max(0, this.newestMs - t));
    if (decision) await this.takeFrame(decision);
    const outcome = this.compositor.apply(message);
    if (outcome.kind === "rejected") this.problem("bad-input", outcome.reason, index, t);
    else if ("problems" in outcome) for (const reason of outcome.problems ?? []) this.problem("bad-input", reason, index, t);
    if (outcome.kind === "resized" && !this.videoSize) await this.startEncoder(videoSizeFor(outcome));
    this.scheduler.afterMessage(t, outcome.kind === "drawn" || outcome.kind === "resized", performance.now());
    this.progress.processedMs = t;
    this.progress.processedMessages++;
    this.progress.processedBytes += pictureWeight(message);
    this.busyMs += performance.now() - started;
    return decision !== null;
  }

  private async startEncoder(size: Size): Promise<void> {
    this.videoSize = size;
    const encoder = await this.createEncoder({ qp: this.options.qp, prefer: this.options.encoder });
    this.encoder = encoder;
    await encoder.configure(size.width, size.height, {
      config: (config) => this.post({ type: "config", sessionId: this.id, config }),
      frame: (frame) => this.frameOut(frame),
    });
  }

  private async takeFrame(decision: FrameDecision): Promise<void> {
    if (!this.encoder || !this.videoSize) return;
    // The early thumbnail is due at the same frame as in a single run; only the window holding it sends it.
    this.firstFramePts ??= decision.ptsMs;
    const thumbnailDue = !this.earlyThumbnailDone && decision.ptsMs - this.firstFramePts >= EARLY_THUMBNAIL_AFTER_MS;
    if (thumbnailDue) this.earlyThumbnailDone = true;
    const chosen = this.window ? this.window.select(decision) : decision;
    if (!chosen) return; // another window's frame: composed, not read back or encoded
    const started = performance.now();
    const { rgba, changedRows, same } = this.compositor.takeFrameUpdate(this.videoSize);
    if (same && !chosen.forceKey) {
      // Redrawn with the same pixels: the previous frame goes on showing, nothing to encode. At the session's
      // end too: the final MP4 gives the last encoded frame the time up to the end, and the live viewers get the end time.
      this.progress.sameFrames++;
      this.busyMs += performance.now() - started;
      if (thumbnailDue) this.thumbnail(chosen.ptsMs, false);
      await this.preview(chosen.ptsMs);
      return;
    }
    this.inFlight.push({ ptsMs: chosen.ptsMs, startedAt: started });
    await this.encoder.encode(rgba, { ptsMs: chosen.ptsMs, forceKey: chosen.forceKey, changedRows });
    this.busyMs += performance.now() - started;
    if (thumbnailDue) this.thumbnail(chosen.ptsMs, false);
    await this.preview(chosen.ptsMs);
    await yieldToLoop();
  }

  /** A seek-bar preview tile of the frame just taken, when one is due; sheets go to the main thread. */
  private async preview(ptsMs: number): Promise<void> {
    if (!this.previews || !this.videoSize) return;
    const started = performance.now();
    for (const sheet of await this.previews.add(ptsMs, this.compositor, this.videoSize)) this.postPreview(sheet);
    this.busyMs += performance.now() - started;
  }

  private postPreview(sheet: PreviewSheet): void {
    const image = ownBuffer(sheet.image);
    this.post({ type: "preview", sessionId: this.id, sheet: { ...sheet, image } }, [image.buffer]);
  }

  /** An encoded frame leaves for the main thread (the encoder may call this after `encode` returned). */
  private frameOut(frame: EncodedFrame): void {
    if (this.failed) return;
    const submitted = this.inFlight.shift();
    if (!submitted || submitted.ptsMs !== frame.ptsMs) {
      this.fail(new EncoderFailure(`encoder returned a frame for ${frame.ptsMs} ms, expected ${submitted?.ptsMs ?? "none"}`));
      return;
    }
    const encodeMs = performance.now() - submitted.startedAt;
    this.progress.frames++;
    if (frame.isKey) this.progress.keyframes++;
    this.progress.encodedBytes += frame.data.length;
    const data = ownBuffer(frame.data);
    this.post({ type: "frame", sessionId: this.id, ptsMs: frame.ptsMs, isKey: frame.isKey, data, encodeMs }, [data.buffer]);
  }

  private thumbnail(atMs: number, final: boolean): void {
    const thumb = this.compositor.thumbnailPng(this.options.thumbnailWidth ?? DEFAULT_THUMBNAIL_WIDTH);
    if (!thumb) return;
    const png = ownBuffer(thumb);
    this.post({ type: "thumbnail", sessionId: this.id, png, atMs, final }, [png.buffer]);
  }

  private async finish(endMs: number): Promise<void> {
    const decision = this.scheduler.finish(Math.max(endMs, this.progress.processedMs));
    if (decision) await this.takeFrame(decision);
    await this.encoder?.flush();
    this.closeEncoder();
    // The MP4 can be finished while the final thumbnail and preview sheet are still being made.
    this.post({ type: "frames-done", sessionId: this.id });
    if (!this.window || this.window.last) this.thumbnail(endMs, true);
    const lastSheet = await this.previews?.finish();
    if (lastSheet) this.postPreview(lastSheet);
    this.compositor.release();
    this.done = true;
    this.updateSchedulerStats();
    this.post({ type: "ended", sessionId: this.id, progress: { ...this.progress }, failed: false });
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.batches.length = 0;
    const reason = errorMessage(e);
    this.problem("encoder-failed", reason, null, null);
    const moduleDead = (e instanceof EncoderFailure && e.moduleAborted) || e instanceof WebAssembly.RuntimeError;
    if (!moduleDead) this.closeEncoder();
    this.compositor.release();
    this.done = true;
    this.post({ type: "ended", sessionId: this.id, progress: { ...this.progress }, failed: true });
    if (moduleDead) this.onFatal(`encoder module aborted in session ${this.id}: ${reason}`);
  }

  private closeEncoder(): void {
    const encoder = this.encoder;
    this.encoder = null;
    try {
      encoder?.close();
    } catch {
      // The session is over either way; a close failure changes nothing for it.
    }
  }

  private problem(kind: VideoProblemKind, reason: string, messageIndex: number | null, atMs: number | null): void {
    this.post({ type: "problem", sessionId: this.id, kind, reason, messageIndex, atMs });
  }

  private updateSchedulerStats(): void {
    const s = this.scheduler.stats;
    this.progress.droppedFrames = s.droppedFrames;
    this.progress.intervalMs = s.intervalMs;
  }

  private postProgress(): void {
    this.updateSchedulerStats();
    const busyMs = this.busyMs;
    this.busyMs = 0;
    this.post({ type: "progress", sessionId: this.id, progress: { ...this.progress }, busyMs });
  }
}

/** `bytes` as a Uint8Array that owns its whole buffer, so the buffer can be transferred. */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.byteOffset === 0 && bytes.buffer instanceof ArrayBuffer && bytes.byteLength === bytes.buffer.byteLength) {
    return new Uint8Array(bytes.buffer);
  }
  return bytes.slice();
}
