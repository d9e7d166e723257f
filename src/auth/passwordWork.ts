// Password hashing and checking (argon2id, ~64 MiB and tens of ms each) with bounded concurrency: a burst of
// logins waits in a short queue instead of allocating 64 MiB per request; beyond the queue it is refused.
import { BoundedWork, BusyError, type BoundedWorkStats } from "../boundedWork.ts";

export { BusyError as PasswordBusyError };

export class PasswordWork {
  private readonly work: BoundedWork;

  constructor(
    /** Checks run at the same time (each holds ~64 MiB while it runs). */
    readonly maxConcurrent = 2,
    /** Checks waiting for a slot; one more is refused with PasswordBusyError. */
    readonly maxQueued = 32,
  ) {
    this.work = new BoundedWork(maxConcurrent, maxQueued, "too many password checks at once; try again in a moment");
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.work.run(() => Bun.password.verify(password, hash));
  }

  hash(password: string): Promise<string> {
    return this.work.run(() => Bun.password.hash(password));
  }

  stats(): BoundedWorkStats {
    return this.work.stats();
  }
}
