// Where an import's frames will fall, and so how to split its encoding across the pool's workers.
// Every worker composes the whole session but encodes only the frames of its window. FramePlan runs
// the frame scheduler over the picture times (as the workers will) and splits where the estimated
// worker time is equal: frames are what cost (a 1080p frame ~150x a tile), and frame counts vary a
// lot along a session, so equal session time is far off. RDP updates cost by their size: decoding
// RemoteFX is a third of a busy desktop's worker time, and every later window decodes all of it again.
import { FrameScheduler, type EncodeWindow } from "./compose/scheduler.ts";

/** Fewer frames than this per segment is not worth another worker. */
const MIN_FRAMES_PER_SEGMENT = 16;

/**
 * Worker time per unit, measured at 1080p (office session, speed 10): reading back and encoding a
 * P frame, the extra for a keyframe, and composing one tile (decode + draw); and per KiB of RDP
 * fast-path updates (mostly RemoteFX decode; measured in the import of test/fixtures/rdp/rfx-1080p, where
 * a frame costs ~40 ms and a KiB ~0.35 ms). Only their ratios matter.
 */
const COST = { frame: 28, keyframe: 14, tile: 0.2, rdpKiB: 0.22 };

interface PlannedFrame {
  ptsMs: number;
  isKey: boolean;
  /** Cost of composing the picture messages applied before this frame was taken. */
  composeBefore: number;
}

/** Where an import's frames will fall, from its picture messages; gives the split into windows. */
export class FramePlan {
  private readonly scheduler: FrameScheduler;
  private readonly frames: PlannedFrame[] = [];
  private compose = 0;

  constructor(options: { maxFps: number; keyframeMs: number }) {
    this.scheduler = new FrameScheduler({ mode: "import", maxFps: options.maxFps, keyframeMs: options.keyframeMs });
  }

  /** A picture message at session time `tMs` (in push order), with `rdpBytes` of RDP fast-path updates in it. */
  picture(tMs: number, rdpBytes = 0): void {
    const decision = this.scheduler.beforeMessage(tMs);
    if (decision) this.frames.push({ ptsMs: decision.ptsMs, isKey: decision.forceKey, composeBefore: this.compose });
    this.scheduler.afterMessage(tMs, true);
    this.compose += COST.tile + (COST.rdpKiB * rdpBytes) / 1024;
  }

  /**
   * Up to `segments` windows covering [0, end) whose estimated worker time is about equal: a window
   * pays for its own frames plus composing every message up to its end (the later windows compose more,
   * so they get fewer frames). One window (no split) when the session is too short to share.
   */
  windows(segments: number, endMs: number): EncodeWindow[] {
    const frames = [...this.frames];
    const last = this.scheduler.finish(Math.max(endMs, frames.at(-1)?.ptsMs ?? 0));
    if (last) frames.push({ ptsMs: last.ptsMs, isKey: last.forceKey, composeBefore: this.compose });
    const count = Math.max(1, Math.min(Math.floor(segments), Math.floor(frames.length / MIN_FRAMES_PER_SEGMENT)));
    if (count === 1) return [{ fromMs: 0, untilMs: null }];
    const starts = balancedStarts(frames, this.compose, count);
    return starts.map((i, k) => ({ fromMs: k === 0 ? 0 : frames[i].ptsMs, untilMs: k + 1 < starts.length ? frames[starts[k + 1]].ptsMs : null }));
  }
}

/** First frame index of each window, minimising the costliest window (binary search on that cost). */
function balancedStarts(frames: PlannedFrame[], totalCompose: number, count: number): number[] {
  const prefix = [0];
  for (const f of frames) prefix.push(prefix[prefix.length - 1] + COST.frame + (f.isKey ? COST.keyframe : 0));
  const cost = (from: number, until: number) =>
    prefix[until] - prefix[from] + (frames[from].isKey ? 0 : COST.keyframe) + (until < frames.length ? frames[until].composeBefore : totalCompose);
  const greedy = (limit: number): number[] => {
    const starts = [0];
    let from = 0;
    for (let i = 1; i < frames.length; i++) {
      if (cost(from, i + 1) > limit) {
        starts.push(i);
        from = i;
      }
    }
    return starts;
  };
  let low = 0;
  let high = cost(0, frames.length);
  for (let step = 0; step < 40; step++) {
    const mid = (low + high) / 2;
    if (greedy(mid).length <= count) high = mid;
    else low = mid;
  }
  return greedy(high);
}

