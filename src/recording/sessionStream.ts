// Writes a session's events to storage as protostream parts, progressively, so a live session's
// recording is readable up to its last appended part at any time.
//
// Group commit: the events that arrive during one event-loop turn become one part; at most one
// append is in flight, and the next part accumulates meanwhile. An event is confirmed durable to
// its listeners once the append holding it resolves. A failed append is retried (with the events
// that arrived since) until it succeeds or the stream is aborted; the AuditWriter's bounded buffer
// is what turns a stuck store into backpressure and, after its timeout, backoff.
import type { AppendHandle } from "../storage/blobStore.ts";
import { encodePart } from "./protostream.ts";
import type { DurableListener, EncodedEvent, EventStream } from "./stream.ts";
import { errorMessage } from "../errorMessage.ts";

export interface SessionStreamOptions {
  sessionId: string;
  handle: AppendHandle;
  /**
   * First retry delay after a failed append (default 50 ms), doubled up to `maxRetryDelayMs` (default 1 s).
   * Each retry is also the probe that tells the writer storage works again, so the cap bounds how long
   * recording stays stopped after storage recovers.
   */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Cap on a part's records before compression (default 4 MiB); a bigger turn becomes several parts. */
  maxPartBytes?: number;
  /** How long complete() waits for a failing store before closing with what is durable (default 30 s). */
  completeTimeoutMs?: number;
  /** Pending bytes that start a part at once instead of at the end of the turn (default 64 KiB). */
  eagerPartBytes?: number;
  log?: (message: string) => void;
}

export interface SessionStreamStatus {
  /** Bytes appended to the object. */
  bytesWritten: number;
  /** Parts appended. */
  parts: number;
  /** Highest event index made durable, -1 before any. */
  lastConfirmedIndex: number;
  /** Events waiting for the next part or in the part being appended. */
  pendingEvents: number;
  /** Failed appends so far, and the last failure. */
  failures: number;
  lastError: string | null;
  /** Events still unstored when complete() gave up waiting for storage (they are not in the recording). */
  unstoredAtClose: number;
  state: "open" | "completing" | "complete" | "aborted";
}

export class SessionStream implements EventStream {
  readonly sessionId: string;
  private readonly handle: AppendHandle;
  private readonly listeners = new Set<DurableListener>();
  private readonly opts: Required<Omit<SessionStreamOptions, "handle" | "sessionId">>;
  private pending: EncodedEvent[] = [];
  private pendingBytes = 0;
  private inFlight: EncodedEvent[] | null = null;
  private flushScheduled = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryDelay: number;
  /** Failed appends since the last one that succeeded. */
  private failuresInSpell = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly current: SessionStreamStatus = {
    bytesWritten: 0, parts: 0, lastConfirmedIndex: -1, pendingEvents: 0, failures: 0, lastError: null, unstoredAtClose: 0,
    state: "open",
  };

  constructor(options: SessionStreamOptions) {
    this.sessionId = options.sessionId;
    this.handle = options.handle;
    this.opts = {
      retryDelayMs: 50, maxRetryDelayMs: 1000, maxPartBytes: 4 * 1024 * 1024, completeTimeoutMs: 30_000,
      eagerPartBytes: 64 * 1024, log: (m) => console.warn(m), ...options,
    };
    this.retryDelay = this.opts.retryDelayMs;
  }

  get status(): Readonly<SessionStreamStatus> {
    return { ...this.current, pendingEvents: this.pending.length + (this.inFlight?.length ?? 0) };
  }

  record(event: EncodedEvent): void {
    if (this.current.state === "complete" || this.current.state === "aborted") {
      throw new Error(`recording stream of session ${this.sessionId} is ${this.current.state}; event ${event.index} not recorded`);
    }
    this.pending.push(event);
    this.pendingBytes += event.bytes.length;
    // A big burst need not wait for the end of the turn: once it holds enough for a worthwhile part
    // and nothing is being appended, it goes out now (the rest of the burst forms the next part).
    if (this.pendingBytes >= this.opts.eagerPartBytes && this.inFlight === null && this.retryTimer === null) {
      this.flush();
      return;
    }
    if (!this.flushScheduled && this.inFlight === null && this.retryTimer === null) {
      this.flushScheduled = true;
      // setImmediate runs after this turn's I/O callbacks: everything that arrived in the turn shares a part.
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  onDurable(listener: DurableListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when everything recorded so far is appended (waits through retries). */
  drained(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Append what is queued and finish the object. If the store does not take the remaining events
   * within completeTimeoutMs, the object is closed with what is durable and this rejects.
   */
  async complete(): Promise<void> {
    if (this.current.state === "complete") return;
    if (this.current.state === "aborted") throw new Error(`recording stream of session ${this.sessionId} was aborted`);
    this.current.state = "completing";
    this.flush();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.opts.completeTimeoutMs);
    });
    const stuck = await Promise.race([this.drained().then(() => false), timedOut]);
    if (timer !== null) clearTimeout(timer);
    if (stuck) {
      const lost = this.pending.length + (this.inFlight?.length ?? 0);
      this.current.unstoredAtClose = lost;
      if (this.retryTimer !== null) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.pending = [];
      this.pendingBytes = 0;
      await this.handle.close();
      this.current.state = "complete";
      throw new Error(
        `recording of session ${this.sessionId} closed with ${lost} event(s) never stored (last error: ${this.current.lastError ?? "none"})`,
      );
    }
    await this.handle.close();
    this.current.state = "complete";
  }

  async abort(): Promise<void> {
    this.current.state = "aborted";
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.abort();
    this.wakeIdle();
  }

  private isIdle(): boolean {
    return this.pending.length === 0 && this.inFlight === null;
  }

  private flush(): void {
    if (this.inFlight !== null || this.retryTimer !== null || this.pending.length === 0) return;
    if (this.current.state === "aborted" || this.current.state === "complete") return;
    const batch = this.takeBatch();
    this.inFlight = batch;
    const part = encodePart(batch.map((e) => e.bytes));
    this.handle.append(part).then(
      () => this.appended(batch, part.length),
      (err: unknown) => this.failed(batch, err),
    );
  }

  /** The pending events up to maxPartBytes (always at least one). */
  private takeBatch(): EncodedEvent[] {
    let size = 0;
    let count = 0;
    for (const event of this.pending) {
      if (count > 0 && size + event.bytes.length > this.opts.maxPartBytes) break;
      size += event.bytes.length + 4;
      count++;
    }
    const batch = count === this.pending.length ? this.pending : this.pending.slice(0, count);
    this.pending = count === this.pending.length ? [] : this.pending.slice(count);
    for (const event of batch) this.pendingBytes -= event.bytes.length;
    return batch;
  }

  private appended(batch: EncodedEvent[], partBytes: number): void {
    this.inFlight = null;
    if (this.failuresInSpell > 0) this.opts.log(`session ${this.sessionId}: storage took a part again after ${this.failuresInSpell} failed attempt(s)`);
    this.failuresInSpell = 0;
    this.retryDelay = this.opts.retryDelayMs;
    this.current.parts++;
    this.current.bytesWritten += partBytes;
    const last = batch[batch.length - 1];
    if (last !== undefined) this.current.lastConfirmedIndex = Math.max(this.current.lastConfirmedIndex, last.index);
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (err) {
        this.opts.log(`session ${this.sessionId}: durable-event listener failed: ${errorMessage(err)}`);
      }
    }
    // Events that arrived during the append go out now, as the next group.
    if (this.pending.length > 0) this.flush();
    else this.wakeIdle();
  }

  private failed(batch: EncodedEvent[], err: unknown): void {
    this.inFlight = null;
    this.current.failures++;
    this.current.lastError = errorMessage(err);
    // Given up on (complete() timed out) or aborted: nothing more to retry.
    if (this.current.state === "aborted" || this.current.state === "complete") return;
    // The first failure of a spell, then one line every 30: a long outage retries every second.
    if (this.failuresInSpell++ % 30 === 0) {
      this.opts.log(
        `session ${this.sessionId}: appending a part of ${batch.length} event(s) failed (${this.current.lastError}); ` +
          `retrying in ${this.retryDelay} ms (failure ${this.failuresInSpell} of this spell)`,
      );
    }
    this.pending = batch.concat(this.pending);
    for (const event of batch) this.pendingBytes += event.bytes.length;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, this.opts.maxRetryDelayMs);
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
