// The contract between the AuditWriter (which stamps and encodes events) and a stream (which turns
// them into stored parts). Kept apart so the writer knows nothing about storage.

/** One event, already stamped and encoded as OneOf bytes. */
export interface EncodedEvent {
  index: number;
  /** Teleport event type string, for logs and stats. */
  type: string;
  bytes: Uint8Array;
  /** performance.now() when the event's data reached the recorder (for receipt → durable latency). */
  receivedAt: number;
}

export type DurableListener = (batch: readonly EncodedEvent[]) => void;

export interface EventStream {
  readonly sessionId: string;
  /** Queue an event for the next part. Never blocks; the stream keeps it until it is durable. */
  record(event: EncodedEvent): void;
  /** Called, in order, with each batch of events once the part holding them is appended. Returns an unsubscribe. */
  onDurable(listener: DurableListener): () => void;
  /** Write everything queued, then finish the stored object. */
  complete(): Promise<void>;
  /** Give up: the stored object is removed. */
  abort(): Promise<void>;
}
