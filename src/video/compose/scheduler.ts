// When to take a video frame, on the SESSION timeline (message times), as pure logic.
//
// A frame shows the picture as of its timestamp. The picture for time t is known to be complete only
// once a message later than t arrives (tiles of one screen update share a timestamp), or, live, once
// the wire has been quiet for a moment. Frames are taken only when the picture changed, at most
// maxFps, stamped max(last change, previous frame + interval): so whatever the screen showed at t is
// in the video by t + interval (100 ms at 10 fps, inside the contract's 150 ms).
//
// Live sessions whose encoder falls behind get a longer interval (fewer, later frames, always the
// latest picture) instead of a growing queue; import has no wall clock and never degrades.

export type SchedulerMode = "live" | "import";

export interface SchedulerOptions {
  mode: SchedulerMode;
  /** Frame-rate cap. Default 10. */
  maxFps?: number;
  /** A keyframe at least this often (session ms) while frames flow. Default 3000. */
  keyframeMs?: number;
  /** ...or after this many frames. Default: what maxFps produces in keyframeMs. */
  maxFramesPerKeyframe?: number;
  /** Live: wall-clock quiet period after which a pending picture is flushed. Default 150 ms. */
  quietMs?: number;
  /**
   * Live only: messages arriving within this many ms of the last change are taken as the same burst
   * (the tiles of one screen update arrive one by one, each stamped on arrival), so a frame is not
   * taken halfway through a burst — unless the burst has lasted a whole frame interval already.
   */
  burstMs?: number;
  /** Live: backlog (session ms not yet processed) above which frames are thinned. Default 300 ms. */
  lagToleranceMs?: number;
  /** Live: longest interval degradation may stretch to. Default 2000 ms. */
  maxDegradedIntervalMs?: number;
}

export interface FrameDecision {
  /** Session time the frame is shown from. Strictly increasing. */
  ptsMs: number;
  forceKey: boolean;
}

export interface SchedulerStats {
  frames: number;
  keyframes: number;
  /** Frames the base rate would have taken but degradation skipped. */
  droppedFrames: number;
  /** The interval in force at the last decision (ms). */
  intervalMs: number;
}

export const DEFAULT_MAX_FPS = 10;
export const DEFAULT_KEYFRAME_MS = 3000;

export class FrameScheduler {
  private readonly mode: SchedulerMode;
  private readonly baseIntervalMs: number;
  private readonly keyframeMs: number;
  private readonly maxFramesPerKeyframe: number;
  private readonly quietMs: number;
  private readonly burstMs: number;
  private readonly lagToleranceMs: number;
  private readonly maxDegradedIntervalMs: number;

  private dirty = false;
  private lastDirtyMs = 0;
  /** When the picture first changed after the last frame. */
  private dirtySinceMs = 0;
  private lastMessageMs = 0;
  private lastArrivalWallMs = 0;
  private lastFramePts: number | null = null;
  private lastKeyPts: number | null = null;
  private framesSinceKey = 0;
  private lastDropMs = Number.NEGATIVE_INFINITY;
  private readonly counters: SchedulerStats;

  constructor(options: SchedulerOptions) {
    const maxFps = options.maxFps ?? DEFAULT_MAX_FPS;
    if (!(maxFps > 0 && maxFps <= 60)) throw new RangeError(`maxFps ${maxFps} is outside (0, 60]`);
    this.mode = options.mode;
    this.baseIntervalMs = 1000 / maxFps;
    this.keyframeMs = options.keyframeMs ?? DEFAULT_KEYFRAME_MS;
    if (!(this.keyframeMs >= this.baseIntervalMs)) throw new RangeError(`keyframeMs ${this.keyframeMs} is shorter than a frame`);
    this.maxFramesPerKeyframe = options.maxFramesPerKeyframe ?? Math.max(1, Math.round((this.keyframeMs * maxFps) / 1000));
    this.quietMs = options.quietMs ?? 150;
    this.burstMs = options.burstMs ?? 30;
    this.lagToleranceMs = options.lagToleranceMs ?? 300;
    this.maxDegradedIntervalMs = Math.max(this.baseIntervalMs, options.maxDegradedIntervalMs ?? 2000);
    this.counters = { frames: 0, keyframes: 0, droppedFrames: 0, intervalMs: this.baseIntervalMs };
  }

  /** True while a changed picture waits for its frame. */
  get pending(): boolean {
    return this.dirty;
  }

  get stats(): SchedulerStats {
    return { ...this.counters };
  }

  /**
   * Before applying a message at session time `tMs`: a frame to take now (of the picture as it is,
   * before this message), or null. `lagMs` is how far processing is behind the newest message.
   */
  beforeMessage(tMs: number, lagMs = 0): FrameDecision | null {
    const t = Math.max(tMs, this.lastMessageMs);
    if (!this.dirty || t <= this.lastMessageMs) return null;
    const interval = this.intervalFor(lagMs);
    if (this.mode === "live" && t - this.lastDirtyMs < this.burstMs && t - this.dirtySinceMs < interval) return null;
    const due = this.dueAt(interval);
    // The frame must precede this message: the picture does not include it yet.
    if (due < t) return this.emit(Math.max(this.lastDirtyMs, due), t - 1);
    if (this.dueAt(this.baseIntervalMs) < t && t - this.lastDropMs >= this.baseIntervalMs) {
      this.counters.droppedFrames++;
      this.lastDropMs = t;
    }
    return null;
  }

  /** After applying the message at `tMs`; `changed` says whether the picture changed. */
  afterMessage(tMs: number, changed: boolean, wallMs = 0): void {
    const t = Math.max(tMs, this.lastMessageMs);
    this.lastMessageMs = t;
    this.lastArrivalWallMs = wallMs;
    if (changed) {
      if (!this.dirty) this.dirtySinceMs = t;
      this.dirty = true;
      this.lastDirtyMs = t;
    }
  }

  /**
   * Live only: once nothing has arrived for quietMs of wall-clock time, the pending picture is
   * complete; take it rather than hold the last change before an idle stretch back.
   */
  poll(wallMs: number, lagMs = 0): FrameDecision | null {
    if (this.mode !== "live" || !this.dirty) return null;
    const quiet = wallMs - this.lastArrivalWallMs;
    if (quiet < this.quietMs) return null;
    const estimatedNow = this.lastMessageMs + quiet;
    const due = this.dueAt(this.intervalFor(lagMs));
    if (estimatedNow < due) return null;
    return this.emit(Math.max(this.lastDirtyMs, due), Math.floor(estimatedNow));
  }

  /** At the end of the session (`endMs`): the last pending picture, if any. */
  finish(endMs: number): FrameDecision | null {
    if (!this.dirty) return null;
    const due = this.dueAt(this.baseIntervalMs);
    return this.emit(Math.max(this.lastDirtyMs, Math.min(due, endMs)), endMs);
  }

  private dueAt(interval: number): number {
    return this.lastFramePts === null ? Number.NEGATIVE_INFINITY : this.lastFramePts + interval;
  }

  private intervalFor(lagMs: number): number {
    let interval = this.baseIntervalMs;
    if (this.mode === "live" && lagMs > this.lagToleranceMs) {
      interval = Math.min(this.maxDegradedIntervalMs, Math.max(this.baseIntervalMs, lagMs));
    }
    this.counters.intervalMs = interval;
    return interval;
  }

  /** Takes a frame at `rawPts` rounded up to whole ms, but no later than `latestMs`. */
  private emit(rawPts: number, latestMs: number): FrameDecision {
    let ptsMs = Math.min(Math.ceil(rawPts), Math.floor(latestMs));
    if (this.lastFramePts !== null && ptsMs <= this.lastFramePts) ptsMs = this.lastFramePts + 1;
    const forceKey =
      this.lastKeyPts === null || ptsMs - this.lastKeyPts >= this.keyframeMs || this.framesSinceKey >= this.maxFramesPerKeyframe;
    this.dirty = false;
    this.lastFramePts = ptsMs;
    this.counters.frames++;
    if (forceKey) {
      this.lastKeyPts = ptsMs;
      this.framesSinceKey = 1;
      this.counters.keyframes++;
    } else {
      this.framesSinceKey++;
    }
    return { ptsMs, forceKey };
  }
}

/**
 * A slice of a run's frames by pts, [fromMs, untilMs) (untilMs null: to the end). Parallel import runs
 * the same session once per slice, each run composing every message but encoding only its own slice.
 */
export interface EncodeWindow {
  fromMs: number;
  untilMs: number | null;
}

/**
 * Session time from which no frame with pts < `untilMs` can be decided any more: once a message at or
 * after it has been applied, the window ending at untilMs is complete. A change pending before untilMs
 * is either due before that message (so taken right before it) or due at/after untilMs; a later change
 * is stamped after untilMs. The 1 ms covers the rounding of pts to whole ms.
 */
export function windowSettledAt(untilMs: number): number {
  return untilMs + 1;
}

/**
 * Picks one window's frames out of the scheduler's decisions. The decisions themselves are not changed
 * (so every window agrees with a single run), except that the first frame of the window is a keyframe:
 * a decoder starts there.
 */
export class WindowedFrames {
  private started = false;

  constructor(readonly window: EncodeWindow) {
    const { fromMs, untilMs } = window;
    if (!Number.isFinite(fromMs) || fromMs < 0) throw new RangeError(`window start ${fromMs} is not a time`);
    if (untilMs !== null && !(untilMs > fromMs)) throw new RangeError(`window end ${untilMs} is not after its start ${fromMs}`);
  }

  contains(ptsMs: number): boolean {
    return ptsMs >= this.window.fromMs && (this.window.untilMs === null || ptsMs < this.window.untilMs);
  }

  /** The decision as this window encodes it, or null when it belongs to another window. */
  select(decision: FrameDecision): FrameDecision | null {
    if (!this.contains(decision.ptsMs)) return null;
    const first = !this.started;
    this.started = true;
    return first && !decision.forceKey ? { ...decision, forceKey: true } : decision;
  }

  /** True when the window reaches the end of the session (its run takes the final picture). */
  get last(): boolean {
    return this.window.untilMs === null;
  }
}
