// A session's recording clock: milliseconds since its first recorded playback message (that message is 0),
// never going backwards even if the wall clock does. The AuditWriter stamps delays with it; the live
// session uses the same rule for markers, video and "how long so far".

export class PlaybackClock {
  private firstAt: number | null = null;
  private lastMs = 0;

  /** A recorded message arrived at wall time `at` (ms): its delay. */
  stamp(at: number): number {
    if (this.firstAt === null) this.firstAt = at;
    this.lastMs = Math.max(this.lastMs, Math.round(at - this.firstAt));
    return this.lastMs;
  }

  /** Recording time at wall time `at` without recording anything (0 before the first message). */
  at(at: number): number {
    return this.firstAt === null ? 0 : Math.max(this.lastMs, Math.round(at - this.firstAt));
  }
}
