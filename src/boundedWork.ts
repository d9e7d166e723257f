// Expensive work with bounded concurrency: a burst waits in a short queue for a slot instead of running all
// at once (and holding all its memory and CPU at once); beyond the queue it is refused with BusyError,
// which a route answers 503 with Retry-After.

export class BusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BusyError";
  }
}

export interface BoundedWorkStats {
  running: number;
  peakRunning: number;
  waiting: number;
  busyRefusals: number;
}

export class BoundedWork {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private busyRefusals = 0;
  private peakRunning = 0;

  constructor(
    /** Jobs run at the same time. */
    readonly maxConcurrent: number,
    /** Jobs waiting for a slot; one more is refused. */
    readonly maxQueued: number,
    /** What a refusal says. */
    private readonly busyMessage: string,
  ) {}

  stats(): BoundedWorkStats {
    return { running: this.running, peakRunning: this.peakRunning, waiting: this.waiting.length, busyRefusals: this.busyRefusals };
  }

  /** Runs `work` when a slot is free; throws BusyError at once when the queue is full too. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxQueued) {
        this.busyRefusals++;
        throw new BusyError(this.busyMessage);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    this.peakRunning = Math.max(this.peakRunning, this.running);
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
