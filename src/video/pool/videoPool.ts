// Main-thread side of the video path: a fixed pool of workers shared by all sessions. A session is
// placed on the least-loaded worker and stays there; its picture messages (decoded by the session)
// are batched per event-loop turn and transferred. A worker that dies fails only its own sessions'
// video and is replaced.
import { availableParallelism } from "node:os";
import type {
  VideoPoolOptions,
  VideoPoolStats,
  VideoSession,
  VideoSessionEvents,
  VideoSessionOptions,
  VideoSessionStats,
  VideoSessionSummary,
  VideoWorkerStats,
} from "./api.ts";
import { WindowedFrames } from "../compose/scheduler.ts";
import type { PictureMessage } from "../../tdp/messages.ts";
import { ownPayload, packPictures, pictureWeight, transferablesOf } from "./pictureBatch.ts";
import { parseWorkerToMain, type SessionProgress, type VideoProblemKind, type WorkerToMain } from "./protocol.ts";
import { errorMessage } from "../../errorMessage.ts";

export type * from "./api.ts";
export type { VideoMode, VideoProblemKind } from "./protocol.ts";

const FPS_WINDOW_MS = 5000;
/** Import sessions run flat out, so they weigh more than a live one when placing sessions. */
const IMPORT_WEIGHT = 2;

interface WorkerSlot {
  index: number;
  worker: Worker;
  sessions: Set<string>;
  restarts: number;
  busyMs: number;
  busySince: number;
  lastBusy: number;
}

interface PendingBatch {
  times: number[];
  messages: PictureMessage[];
  firstIndex: number;
}

interface SessionState {
  id: string;
  options: VideoSessionOptions;
  events: VideoSessionEvents;
  slot: WorkerSlot;
  pending: PendingBatch | null;
  nextIndex: number;
  newestMs: number;
  /** Times of pushed messages the worker has not handled yet: unhandled[unhandledHead..]. */
  unhandled: number[];
  unhandledHead: number;
  pushedBytes: number;
  progress: SessionProgress;
  frameTimes: number[];
  failed: boolean;
  finished: VideoSessionSummary | null;
  endWaiters: Array<(summary: VideoSessionSummary) => void>;
  drainWaiters: Array<() => void>;
}

export class VideoPool {
  private readonly slots: WorkerSlot[] = [];
  private readonly sessions = new Map<string, SessionState>();
  private readonly highWater: number;
  private readonly encoder: VideoPoolOptions["encoder"];
  private closed = false;

  constructor(options: VideoPoolOptions = {}) {
    const count = options.workers ?? availableParallelism();
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`workers ${count} must be a positive integer`);
    this.highWater = options.highWaterBytes ?? 32 * 1024 * 1024;
    this.encoder = options.encoder;
    for (let index = 0; index < count; index++) {
      const slot: WorkerSlot = { index, worker: this.spawn(index), sessions: new Set(), restarts: 0, busyMs: 0, busySince: performance.now(), lastBusy: 0 };
      this.slots.push(slot);
    }
  }

  openSession(id: string, options: VideoSessionOptions, events: VideoSessionEvents): VideoSession {
    if (this.closed) throw new Error("video pool is closed");
    if (this.sessions.has(id)) throw new Error(`video session ${id} is already open`);
    if (options.encodeWindow) {
      if (options.mode !== "import") throw new Error("an encode window is for import sessions only");
      new WindowedFrames(options.encodeWindow); // throws on a bad window here, not inside the worker
    }
    const slot = this.leastLoaded();
    const state: SessionState = {
      id,
      options,
      events,
      slot,
      pending: null,
      nextIndex: 0,
      newestMs: 0,
      unhandled: [],
      unhandledHead: 0,
      pushedBytes: 0,
      progress: { processedMs: 0, processedMessages: 0, processedBytes: 0, frames: 0, keyframes: 0, droppedFrames: 0, sameFrames: 0, encodedBytes: 0, intervalMs: 1000 / (options.maxFps ?? 10) },
      frameTimes: [],
      failed: false,
      finished: null,
      endWaiters: [],
      drainWaiters: [],
    };
    this.sessions.set(id, state);
    slot.sessions.add(id);
    slot.worker.postMessage({ type: "open", sessionId: id, options: { encoder: this.encoder, ...options } });
    return {
      push: (delayMs, message) => this.push(state, delayMs, message),
      drain: () => this.drain(state),
      end: (endMs) => this.end(state, endMs),
    };
  }

  stats(): VideoPoolStats {
    const now = performance.now();
    const sessions = [...this.sessions.values()].map((s): VideoSessionStats => {
      s.frameTimes = s.frameTimes.filter((t) => now - t <= FPS_WINDOW_MS);
      // Session time from the oldest message not handled yet to the newest pushed.
      const oldest = s.unhandled[s.unhandledHead];
      const lagMs = oldest === undefined ? 0 : Math.max(0, s.newestMs - oldest);
      return {
        id: s.id,
        mode: s.options.mode,
        worker: s.slot.index,
        lagMs,
        fps: s.frameTimes.length / (FPS_WINDOW_MS / 1000),
        frames: s.progress.frames,
        keyframes: s.progress.keyframes,
        droppedFrames: s.progress.droppedFrames,
        sameFrames: s.progress.sameFrames,
        encodedBytes: s.progress.encodedBytes,
        intervalMs: s.progress.intervalMs,
        failed: s.failed,
      };
    });
    const workers = this.slots.map((slot): VideoWorkerStats => {
      const elapsed = now - slot.busySince;
      if (elapsed >= 1000) {
        slot.lastBusy = Math.min(1, slot.busyMs / elapsed);
        slot.busyMs = 0;
        slot.busySince = now;
      }
      return { index: slot.index, sessions: slot.sessions.size, busy: slot.lastBusy, restarts: slot.restarts };
    });
    return { sessions, workers };
  }

  /** Terminates one worker as if it had crashed: its sessions' video fails, a new worker takes its place. */
  killWorker(index: number): void {
    const slot = this.slots[index];
    if (!slot) throw new RangeError(`no worker ${index}`);
    this.crashed(slot, slot.worker, "video worker was killed");
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const state of this.sessions.values()) this.failSession(state, "worker-crashed", "video pool closed");
    for (const slot of this.slots) slot.worker.terminate();
  }

  private spawn(index: number): Worker {
    const worker = new Worker(new URL("./videoWorker.ts", import.meta.url));
    worker.addEventListener("message", (event: MessageEvent) => this.onWorkerMessage(index, worker, event.data));
    worker.addEventListener("error", (event: Event) => {
      const reason = event instanceof ErrorEvent ? event.message : "uncaught error";
      this.crashed(this.slots[index], worker, `video worker error: ${reason}`);
    });
    worker.addEventListener("close", () => {
      if (!this.closed) this.crashed(this.slots[index], worker, "video worker exited");
    });
    return worker;
  }

  private leastLoaded(): WorkerSlot {
    const load = (slot: WorkerSlot) => {
      let weight = 0;
      for (const id of slot.sessions) weight += this.sessions.get(id)?.options.mode === "import" ? IMPORT_WEIGHT : 1;
      return weight + slot.lastBusy;
    };
    return this.slots.reduce((best, slot) => (load(slot) < load(best) ? slot : best));
  }

  private push(s: SessionState, delayMs: number, message: PictureMessage): boolean {
    if (s.failed || s.finished) return true;
    const batch = (s.pending ??= { times: [], messages: [], firstIndex: s.nextIndex });
    batch.times.push(delayMs);
    // The payload may be a view into a buffer the caller reuses: keep a copy.
    batch.messages.push(ownPayload(message));
    if (batch.times.length === 1) queueMicrotask(() => this.flush(s));
    s.nextIndex++;
    s.newestMs = Math.max(s.newestMs, delayMs);
    s.unhandled.push(delayMs);
    s.pushedBytes += pictureWeight(message);
    return s.pushedBytes - s.progress.processedBytes < this.highWater;
  }

  /** Packs the session's messages of this event-loop turn (copying their payloads) and sends them. */
  private flush(s: SessionState): void {
    const batch = s.pending;
    s.pending = null;
    if (!batch || s.failed) return;
    const packed = packPictures(batch.messages, batch.times, batch.firstIndex, s.newestMs);
    s.slot.worker.postMessage({ type: "push", sessionId: s.id, batch: packed }, transferablesOf(packed));
  }

  private drain(s: SessionState): Promise<void> {
    if (s.failed || s.finished || s.pushedBytes - s.progress.processedBytes < this.highWater / 2) return Promise.resolve();
    return new Promise((resolve) => s.drainWaiters.push(resolve));
  }

  private end(s: SessionState, endMs: number): Promise<VideoSessionSummary> {
    if (s.finished) return Promise.resolve(s.finished);
    const done = new Promise<VideoSessionSummary>((resolve) => s.endWaiters.push(resolve));
    if (!s.failed) {
      this.flush(s);
      s.slot.worker.postMessage({ type: "end", sessionId: s.id, endMs });
    }
    return done;
  }

  private onWorkerMessage(index: number, worker: Worker, data: unknown): void {
    const slot = this.slots[index];
    if (slot.worker !== worker) return; // a replaced worker's last words
    let message: WorkerToMain;
    try {
      message = parseWorkerToMain(data);
    } catch (e) {
      this.crashed(slot, worker, `video worker sent a malformed message: ${errorMessage(e)}`);
      return;
    }
    if (message.type === "fatal") {
      this.crashed(slot, worker, message.reason);
      return;
    }
    const s = this.sessions.get(message.sessionId);
    if (!s) return;
    if (message.type === "ended") {
      this.recordProgress(s, message.progress);
      this.finish(s, message.failed);
      return;
    }
    if (s.failed) return;
    switch (message.type) {
      case "config":
        this.deliver(s, () => s.events.onConfig(message.config));
        return;
      case "frame":
        s.frameTimes.push(performance.now());
        this.deliver(s, () => s.events.onFrame({ ptsMs: message.ptsMs, isKey: message.isKey, data: message.data }));
        return;
      case "problem":
        if (message.kind !== "bad-input") s.failed = true;
        this.deliver(s, () => s.events.onProblem({ kind: message.kind, reason: message.reason, messageIndex: message.messageIndex, atMs: message.atMs }));
        return;
      case "thumbnail":
        this.deliver(s, () => s.events.onThumbnail(message.png, { atMs: message.atMs, final: message.final }));
        return;
      case "preview":
        this.deliver(s, () => s.events.onPreview?.(message.sheet));
        return;
      case "frames-done":
        this.deliver(s, () => s.events.onFramesDone?.());
        return;
      case "progress":
        this.recordProgress(s, message.progress);
        slot.busyMs += message.busyMs;
        this.wakeDrainers(s);
        return;
    }
  }

  private recordProgress(s: SessionState, progress: SessionProgress): void {
    s.progress = progress;
    // Message i sits at unhandled[i - handled-before-head]; drop the ones now handled.
    const firstUnhandledIndex = s.nextIndex - (s.unhandled.length - s.unhandledHead);
    s.unhandledHead += Math.max(0, Math.min(progress.processedMessages - firstUnhandledIndex, s.unhandled.length - s.unhandledHead));
    if (s.unhandledHead > 4096 && s.unhandledHead * 2 > s.unhandled.length) {
      s.unhandled = s.unhandled.slice(s.unhandledHead);
      s.unhandledHead = 0;
    }
  }

  /** Calls a session's event handler; a throwing handler must not take the pool down. */
  private deliver(s: SessionState, call: () => void): void {
    try {
      call();
    } catch (e) {
      console.error(`video session ${s.id}: event handler threw: ${errorMessage(e)}`);
    }
  }

  private wakeDrainers(s: SessionState): void {
    if (s.pushedBytes - s.progress.processedBytes >= this.highWater / 2) return;
    for (const wake of s.drainWaiters.splice(0)) wake();
  }

  private finish(s: SessionState, failed: boolean): void {
    if (s.finished) return;
    s.failed ||= failed;
    s.finished = {
      frames: s.progress.frames,
      keyframes: s.progress.keyframes,
      droppedFrames: s.progress.droppedFrames,
      sameFrames: s.progress.sameFrames,
      encodedBytes: s.progress.encodedBytes,
      failed: s.failed,
    };
    this.sessions.delete(s.id);
    s.slot.sessions.delete(s.id);
    for (const wake of s.drainWaiters.splice(0)) wake();
    for (const resolve of s.endWaiters.splice(0)) resolve(s.finished);
  }

  private failSession(s: SessionState, kind: VideoProblemKind, reason: string): void {
    if (s.finished) return;
    if (!s.failed) {
      s.failed = true;
      this.deliver(s, () => s.events.onProblem({ kind, reason, messageIndex: null, atMs: null }));
    }
    this.finish(s, true);
  }

  private crashed(slot: WorkerSlot, worker: Worker, reason: string): void {
    if (slot.worker !== worker) return; // already handled
    worker.terminate();
    for (const id of [...slot.sessions]) {
      const s = this.sessions.get(id);
      if (s) this.failSession(s, "worker-crashed", reason);
    }
    slot.sessions.clear();
    if (this.closed) return;
    slot.restarts++;
    slot.busyMs = 0;
    slot.lastBusy = 0;
    slot.busySince = performance.now();
    slot.worker = this.spawn(slot.index);
  }
}
