// The session writer of Teleport RFD 47/48 (lib/events/auditwriter.go): turns a session's raw
// playback data into stamped events, sends them to a stream and keeps the ones the stream has not
// yet made durable. Under storage trouble it follows Teleport: a non-blocking send into a bounded
// buffer; when full, a blocking wait bounded by `backoffTimeoutMs`; on timeout a backoff period
// during which async mode drops (and counts) events and sync mode refuses them.
//
// Unlike Teleport's fixed backoff, the period ends as soon as the stream makes anything durable again:
// the stream keeps retrying the part it holds, and that retry is the probe. A short disk-full spell
// loses only the events sent while storage was failing. Essential events (the session end) are never
// dropped or refused for lack of room: they wait in the stream for storage to come back.
import { randomUUID } from "node:crypto";
import { encodeOneOf } from "./eventCodec.ts";
import {
  type AuditEvent,
  type DesktopRecordingEvent,
  EventType,
  MAX_RECORD_BYTES,
  type SessionPrintEvent,
  blankMetadata,
  isPlaybackEvent,
  teleportType,
} from "./eventTypes.ts";
import type { EncodedEvent, EventStream } from "./stream.ts";
import { PlaybackClock } from "./playbackClock.ts";
import { errorMessage } from "../errorMessage.ts";

export type RecordingMode = "async" | "sync";
export type PlaybackEvent = DesktopRecordingEvent | SessionPrintEvent;

/** Sync mode: storage did not keep up, so the session must not go on unrecorded. */
export class RecordingRefusedError extends Error {
  constructor(
    readonly sessionId: string,
    reason: string,
  ) {
    super(`recording of session ${sessionId} refused: ${reason}`);
    this.name = "RecordingRefusedError";
  }
}

export interface AuditWriterConfig {
  sessionId: string;
  clusterName: string;
  stream: EventStream;
  /** Wraps one piece of playback data (a TDP message, a chunk of terminal output) in an event. */
  makeEvent: (payload: Uint8Array) => PlaybackEvent;
  /**
   * Splits payload whose record would exceed the 64 KiB limit into pieces of at most `maxPayloadBytes`.
   * Without it (or when it fails) such payload is dropped and counted, as Teleport does.
   */
  splitOversize?: (payload: Uint8Array, maxPayloadBytes: number) => Uint8Array[] | Promise<Uint8Array[]>;
  mode?: RecordingMode;
  /** Bound on events not yet durable (default 1024, Teleport's buffer size). */
  maxBufferedEvents?: number;
  /** Bound on their bytes (default 16 MiB): desktop frames are big. */
  maxBufferedBytes?: number;
  /** How long a send waits for room before giving up (default 5 s). */
  backoffTimeoutMs?: number;
  /** How long the writer then stays in backoff (default 30 s). */
  backoffDurationMs?: number;
  /** Wall clock for backoff periods (default Date.now). */
  now?: () => number;
  /** Told when storage starts failing (backoff begins) and when it takes writes again. */
  onStorageState?: (state: "failing" | "recovered", stats: AuditWriterStats) => void;
  log?: (message: string) => void;
}

export interface EmitOptions {
  /** Never dropped or refused for lack of room (the session end): it waits in the stream for storage. */
  essential?: boolean;
}

export interface AuditWriterStats {
  /** Events handed to the stream. */
  accepted: number;
  /** Events dropped in async mode because storage did not keep up. */
  lost: number;
  /** Events refused in sync mode. */
  refused: number;
  /** Sends that found the buffer full and had to wait. */
  slowWrites: number;
  /** Payloads too big for one record that were split into several. */
  oversizeSplit: number;
  /** Payloads too big for one record that could not be split. */
  oversizeDropped: number;
  /** Events given to the stream but not yet durable, and their bytes. */
  buffered: number;
  bufferedBytes: number;
  /** Last index stamped and last index made durable (-1 before any). */
  lastIndex: number;
  lastDurableIndex: number;
  inBackoff: boolean;
}

const DEFAULTS = { maxBufferedEvents: 1024, maxBufferedBytes: 16 * 1024 * 1024, backoffTimeoutMs: 5000, backoffDurationMs: 30_000 };
// Varint headroom for a payload's length prefix (3 bytes cover up to 2 MiB).
const LENGTH_PREFIX_HEADROOM = 3;
const noop = (): void => {};

export class AuditWriter {
  private readonly cfg: Required<Omit<AuditWriterConfig, "splitOversize" | "onStorageState">> &
    Pick<AuditWriterConfig, "splitOversize" | "onStorageState">;
  private readonly counters = { accepted: 0, lost: 0, refused: 0, slowWrites: 0, oversizeSplit: 0, oversizeDropped: 0 };
  private nextIndex = 0;
  private lastDurableIndex = -1;
  private readonly clock = new PlaybackClock();
  private printChunks = 0;
  private printBytes = 0;
  // Unconfirmed events as [index, size] pairs, oldest first; `head` skips confirmed ones.
  private unconfirmed: Array<[number, number]> = [];
  private head = 0;
  private bufferedBytes = 0;
  private backoffUntil = 0;
  private roomWaiter: (() => void) | null = null;
  private tail: Promise<unknown> | null = null;
  private closed = false;
  /** The biggest payload whose playback record stays within the 64 KiB limit. */
  readonly maxPayloadBytes: number;

  constructor(config: AuditWriterConfig) {
    this.cfg = {
      mode: "async", now: Date.now, log: (m) => console.warn(m), ...DEFAULTS, ...config,
    };
    this.maxPayloadBytes = MAX_RECORD_BYTES - this.playbackOverhead() - LENGTH_PREFIX_HEADROOM;
    this.cfg.stream.onDurable((batch) => this.confirm(batch));
  }

  /** Record one piece of playback data that arrived at `at` (wall-clock ms). */
  write(payload: Uint8Array, at: number = Date.now()): Promise<void> {
    const receivedAt = performance.now();
    return this.run(() => this.writeNow(payload, at, receivedAt));
  }

  /** Stamp and record a non-playback event (session start/end, clipboard, ...); resolves with it stamped. */
  emit<E extends AuditEvent>(event: E, at: number = Date.now(), options: EmitOptions = {}): Promise<E> {
    const receivedAt = performance.now();
    return this.run(() => {
      const stamped = this.stamp(event, at);
      const sent = this.send(stamped, receivedAt, options.essential === true);
      return sent === undefined ? stamped : sent.then(() => stamped);
    });
  }

  /** Wait for queued writes, then flush and finish the stream. */
  async complete(): Promise<void> {
    this.closed = true;
    if (this.tail !== null) await this.tail;
    await this.cfg.stream.complete();
  }

  stats(): AuditWriterStats {
    return {
      ...this.counters,
      buffered: this.unconfirmed.length - this.head,
      bufferedBytes: this.bufferedBytes,
      lastIndex: this.nextIndex - 1,
      lastDurableIndex: this.lastDurableIndex,
      inBackoff: this.cfg.now() < this.backoffUntil,
    };
  }

  // ---- ordering: tasks run one after another, synchronously when nothing is queued ----

  private run<T>(task: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`recording of session ${this.cfg.sessionId} is already complete`));
    if (this.tail === null) {
      let result: T | Promise<T>;
      try {
        result = task();
      } catch (err) {
        return Promise.reject(err);
      }
      if (!(result instanceof Promise)) return Promise.resolve(result);
      this.track(result);
      return result;
    }
    const next = this.tail.then(task);
    this.track(next);
    return next;
  }

  private track(promise: Promise<unknown>): void {
    const settled = promise.then(noop, noop);
    this.tail = settled;
    void settled.then(() => {
      if (this.tail === settled) this.tail = null;
    });
  }

  // ---- stamping ----

  private writeNow(payload: Uint8Array, at: number, receivedAt: number): void | Promise<void> {
    if (payload.length > this.maxPayloadBytes) return this.writeOversize(payload, at, receivedAt);
    return this.send(this.stamp(this.cfg.makeEvent(payload), at), receivedAt);
  }

  private async writeOversize(payload: Uint8Array, at: number, receivedAt: number): Promise<void> {
    let pieces: Uint8Array[] = [];
    try {
      if (this.cfg.splitOversize !== undefined) pieces = await this.cfg.splitOversize(payload, this.maxPayloadBytes);
    } catch (err) {
      this.cfg.log(`session ${this.cfg.sessionId}: could not split a ${payload.length}-byte payload: ${errorMessage(err)}`);
    }
    if (pieces.length === 0 || pieces.some((p) => p.length > this.maxPayloadBytes)) {
      this.counters.oversizeDropped++;
      this.cfg.log(`session ${this.cfg.sessionId}: dropped a ${payload.length}-byte payload over the ${MAX_RECORD_BYTES}-byte record limit`);
      return;
    }
    this.counters.oversizeSplit++;
    for (const piece of pieces) await this.send(this.stamp(this.cfg.makeEvent(piece), at), receivedAt);
  }

  private stamp<E extends AuditEvent>(event: E, at: number): E {
    event.index = this.nextIndex++;
    event.time = new Date(Math.round(at));
    if (event.clusterName === "") event.clusterName = this.cfg.clusterName;
    if ("sessionId" in event && event.sessionId === "") event.sessionId = this.cfg.sessionId;
    if (isPlaybackEvent(event)) {
      // Delays count from the first playback event and never go backwards, even if the clock does.
      event.delayMs = this.clock.stamp(at);
      if (event.type === EventType.SessionPrint) {
        event.chunkIndex = this.printChunks++;
        event.offset = this.printBytes;
        event.bytes = event.data.length;
        this.printBytes += event.data.length;
      }
    } else if (event.id === "") {
      event.id = randomUUID();
    }
    return event;
  }

  // ---- sending with Teleport's backoff ----

  private send(event: AuditEvent, receivedAt: number, essential = false): void | Promise<void> {
    const bytes = encodeOneOf(event);
    if (bytes.length > MAX_RECORD_BYTES) {
      this.counters.oversizeDropped++;
      this.cfg.log(`session ${this.cfg.sessionId}: dropped event ${event.index} (${teleportType(event)}): ${bytes.length} bytes is over the record limit`);
      return;
    }
    const encoded: EncodedEvent = { index: event.index, type: teleportType(event), bytes, receivedAt };
    if (essential) return this.accept(encoded);
    if (this.cfg.now() < this.backoffUntil) return this.giveUp(event, "storage is in backoff");
    if (this.hasRoom(bytes.length)) return this.accept(encoded);
    this.counters.slowWrites++;
    return this.waitForRoom().then((room) => {
      if (room) return this.accept(encoded);
      const starting = this.cfg.now() >= this.backoffUntil;
      this.backoffUntil = this.cfg.now() + this.cfg.backoffDurationMs;
      if (starting) {
        this.cfg.log(
          `session ${this.cfg.sessionId}: storage did not confirm events for ${this.cfg.backoffTimeoutMs} ms; ` +
            `backing off until it takes a write again, at most ${this.cfg.backoffDurationMs} ms (${this.cfg.mode} mode)`,
        );
        this.notifyStorage("failing");
      }
      return this.giveUp(event, `storage did not confirm events within ${this.cfg.backoffTimeoutMs} ms`);
    });
  }

  private giveUp(event: AuditEvent, reason: string): void {
    if (this.cfg.mode === "async") {
      this.counters.lost++;
      return;
    }
    this.counters.refused++;
    throw new RecordingRefusedError(this.cfg.sessionId, `${reason} (event ${event.index}, ${teleportType(event)})`);
  }

  private hasRoom(size: number): boolean {
    const buffered = this.unconfirmed.length - this.head;
    if (buffered === 0) return true; // one event always fits, however big
    return buffered < this.cfg.maxBufferedEvents && this.bufferedBytes + size <= this.cfg.maxBufferedBytes;
  }

  private accept(encoded: EncodedEvent): void {
    this.unconfirmed.push([encoded.index, encoded.bytes.length]);
    this.bufferedBytes += encoded.bytes.length;
    this.counters.accepted++;
    this.cfg.stream.record(encoded);
  }

  /** Resolves true once there is room, false after backoffTimeoutMs. */
  private waitForRoom(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.roomWaiter = null;
        resolve(false);
      }, this.cfg.backoffTimeoutMs);
      this.roomWaiter = () => {
        clearTimeout(timer);
        this.roomWaiter = null;
        resolve(true);
      };
    });
  }

  private confirm(batch: readonly EncodedEvent[]): void {
    const last = batch[batch.length - 1];
    if (last === undefined) return;
    this.lastDurableIndex = Math.max(this.lastDurableIndex, last.index);
    if (this.backoffUntil > 0) {
      // Storage took a write: the backoff is over now, not when its timer runs out.
      const wasBackingOff = this.cfg.now() < this.backoffUntil;
      this.backoffUntil = 0;
      if (wasBackingOff) {
        const { lost, refused } = this.counters;
        this.cfg.log(`session ${this.cfg.sessionId}: storage takes writes again; recording resumes (${lost + refused} event(s) lost so far)`);
        this.notifyStorage("recovered");
      }
    }
    while (this.head < this.unconfirmed.length) {
      const entry = this.unconfirmed[this.head];
      if (entry === undefined || entry[0] > this.lastDurableIndex) break;
      this.bufferedBytes -= entry[1];
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.unconfirmed.length) {
      this.unconfirmed = this.unconfirmed.slice(this.head);
      this.head = 0;
    }
    if (this.roomWaiter !== null && this.hasRoom(0)) this.roomWaiter();
  }

  private notifyStorage(state: "failing" | "recovered"): void {
    const listener = this.cfg.onStorageState;
    if (listener === undefined) return;
    // After the current call stack, so stats() counts the event that started the backoff.
    queueMicrotask(() => {
      try {
        listener(state, this.stats());
      } catch (err) {
        this.cfg.log(`session ${this.cfg.sessionId}: storage state listener failed: ${errorMessage(err)}`);
      }
    });
  }

  /** Bytes a playback record takes besides its payload, with generous values for the stamped numbers. */
  private playbackOverhead(): number {
    const probe = this.cfg.makeEvent(new Uint8Array(0));
    Object.assign(probe, blankMetadata(), {
      index: 2 ** 52, time: new Date(253402300799999), clusterName: this.cfg.clusterName, delayMs: 2 ** 52,
    });
    if (probe.type === EventType.SessionPrint) Object.assign(probe, { chunkIndex: 2 ** 52, offset: 2 ** 52, bytes: 2 ** 52 });
    return encodeOneOf(probe).length;
  }
}

/** makeEvent for desktops: one TDP message per event (TDPB messages start with a zero byte). */
export function desktopRecordingEvent(payload: Uint8Array): DesktopRecordingEvent {
  const tdpb = payload.length > 0 && payload[0] === 0;
  return {
    ...blankMetadata(), type: EventType.DesktopRecording,
    message: tdpb ? null : payload, tdpbMessage: tdpb ? payload : null, delayMs: 0,
  };
}

/** makeEvent for SSH: one chunk of terminal output per event. */
export function sessionPrintEvent(payload: Uint8Array): SessionPrintEvent {
  return { ...blankMetadata(), type: EventType.SessionPrint, chunkIndex: 0, data: payload, bytes: payload.length, delayMs: 0, offset: 0 };
}

/** splitOversize for SSH output: plain byte chunks (terminal output has no structure to keep). */
export function splitPrintData(payload: Uint8Array, maxPayloadBytes: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += maxPayloadBytes) pieces.push(payload.subarray(at, at + maxPayloadBytes));
  return pieces;
}
