// Sharing the main thread: a loop of awaits that all complete at once (reading a file from the page cache,
// say) never lets timers, sockets or HTTP requests in; such loops take turns with the event loop instead.

/** Resolves on a later turn of the event loop, after the I/O and timers that are due (a page has no setImmediate). */
export function yieldToLoop(): Promise<void> {
  return new Promise<void>((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** Time slices for a long loop on the main thread: `turn()` yields to the event loop once a slice is used up. */
export class LoopShare {
  private since = performance.now();

  constructor(private readonly sliceMs = 8) {}

  async turn(): Promise<void> {
    if (performance.now() - this.since < this.sliceMs) return;
    await yieldToLoop();
    this.since = performance.now();
  }
}
