// The memory budget of a live session's video path: which pictures go to the encoder worker. A desktop
// (or whoever controls it) decides how many pixels it sends; the server decides how many it decodes.
// Pictures over the budget are skipped and counted (the recording keeps them all): the video then shows
// a stale region until the desktop repaints it, which is better than a server out of memory.
//
// Two bounds, both per session:
// - decoded pixels per second (a token bucket with a burst of `burstSeconds`), measured from the
//   tile rectangle, which the PNG header has been checked to match, so before anything is inflated;
// - bytes queued for the worker: once the pool says the session's backlog is over its high-water mark,
//   pictures are skipped until the backlog drains (live sessions never wait for the encoder).
import { MessageType, tileRect, type TdpMessage } from "../tdp/messages.ts";

export interface PictureBudgetOptions {
  /** Decoded pixels per second a session may send to the video (tiles and new screens). */
  pixelsPerSecond: number;
  /** Seconds of that rate a burst may use at once (default 2). */
  burstSeconds?: number;
  now?: () => number;
}

export type PictureVerdict = "send" | "over-pixel-rate" | "backlog";

export interface PictureBudgetStats {
  /** Pictures skipped because the session sent more pixels per second than the budget. */
  skippedForRate: number;
  /** Pictures skipped because the encoder's queue for the session was full. */
  skippedForBacklog: number;
}

/** Pixels a picture message makes the worker decode or allocate. */
export function picturePixels(message: TdpMessage): number {
  if (message.type === MessageType.ClientScreenSpec || message.type === MessageType.RDPConnectionActivated) {
    return message.width * message.height;
  }
  if (message.type === MessageType.PNGFrame || message.type === MessageType.PNG2Frame) {
    const r = tileRect(message);
    return Math.max(0, r.right - r.left) * Math.max(0, r.bottom - r.top);
  }
  return 0;
}

export class PictureBudget {
  private readonly rate: number;
  private readonly capacity: number;
  private readonly now: () => number;
  private tokens: number;
  private last: number;
  private congested = false;
  readonly stats: PictureBudgetStats = { skippedForRate: 0, skippedForBacklog: 0 };

  constructor(options: PictureBudgetOptions) {
    this.rate = options.pixelsPerSecond;
    this.capacity = options.pixelsPerSecond * (options.burstSeconds ?? 2);
    this.now = options.now ?? (() => performance.now());
    this.tokens = this.capacity;
    this.last = this.now();
  }

  /** Whether this picture may go to the video now; a "send" is charged against the budget. */
  admit(message: TdpMessage): PictureVerdict {
    // A new screen size is a few bytes the video cannot do without, so it passes a full queue and may
    // borrow up to one burst ahead; a flood of them still runs out.
    const screen = message.type === MessageType.ClientScreenSpec;
    if (this.congested && !screen) {
      this.stats.skippedForBacklog++;
      return "backlog";
    }
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    const pixels = picturePixels(message);
    if (pixels > this.tokens + (screen ? this.capacity : 0)) {
      this.stats.skippedForRate++;
      return "over-pixel-rate";
    }
    this.tokens -= pixels;
    return "send";
  }

  /** The pool's queue for this session is full: skip pictures until `drained` resolves. */
  congestedUntil(drained: Promise<void>): void {
    if (this.congested) return;
    this.congested = true;
    void drained.finally(() => {
      this.congested = false;
    });
  }
}
