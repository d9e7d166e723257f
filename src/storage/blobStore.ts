// Where recording bytes live. Knows nothing about TDP, events or video: keys and bytes only.
// Keys are relative paths like "recordings/<sid>.tar" or "video/<sid>/live.mp4".

/** An object being written progressively (a live recording, a growing fragmented MP4). */
export interface AppendHandle {
  /** Append bytes; resolves when they are durable (fsync'd locally, or an uploaded part). */
  append(data: Uint8Array): Promise<void>;
  /** Bytes appended so far. */
  readonly size: number;
  /** Finish the object: after this it is complete and immutable. */
  close(): Promise<void>;
  /** Give up on the object (a failed import): nothing half-made stays behind. */
  abort(): Promise<void>;
}

export interface BlobStore {
  readonly kind: "file" | "s3";
  /** Write a whole object; readers see either nothing or all of it. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** Start a progressive object; readable (what is durable so far) while it grows. */
  openAppend(key: string): Promise<AppendHandle>;
  /** Whole object, or null when it does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  /** Bytes [start, end) of an object (end clamped to its size). */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
  /** Size in bytes, or null when it does not exist. */
  size(key: string): Promise<number | null>;
  /** A stream of [start, end) for serving large objects without holding them in memory. */
  stream(key: string, start?: number, end?: number): ReadableStream<Uint8Array>;
  delete(key: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
}
