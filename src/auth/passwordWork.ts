// Password hashing and checking (argon2id, ~64 MiB and tens of ms each) with bounded concurrency: a burst of
// logins waits in a short queue instead of allocating 64 MiB per request; beyond the queue it is refused.

export class PasswordBusyError extends Error {
  constructor() {
    super("too many password checks at once; try again in a moment");
    this.name = "PasswordBusyError";
  }
}

export class PasswordWork {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private busyRefusals = 0;
  private peakRunning = 0;

  constructor(
    /** Checks run at the same time (each holds ~64 MiB while it runs). */
    readonly maxConcurrent = 2,
    /** Checks waiting for a slot; one more is refused with PasswordBusyError. */
    readonly maxQueued = 32,
  ) {}

  verify(password: string, hash: string): Promise<boolean> {
    return this.run(() => Bun.password.verify(password, hash));
  }

  hash(password: string): Promise<string> {
    return this.run(() => Bun.password.hash(password));
  }

  stats(): { running: number; peakRunning: number; waiting: number; busyRefusals: number } {
    return { running: this.running, peakRunning: this.peakRunning, waiting: this.waiting.length, busyRefusals: this.busyRefusals };
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxQueued) {
        this.busyRefusals++;
        throw new PasswordBusyError();
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
