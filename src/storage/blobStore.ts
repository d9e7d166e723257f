// Where recording bytes live. Knows nothing about TDP, events or video: keys and bytes only.
// Keys are relative paths like "recordings/<sid>.tar" or "video/<sid>/live.mp4" (see keys.ts for the rules).

/** How an AppendHandle finishes its object (see close). */
export interface CloseOptions {
  /** Default true. */
  sync?: boolean;
}

/** An object being written progressively (a live recording, a growing fragmented MP4). */
export interface AppendHandle {
  /** The key this handle writes. */
  readonly key: string;
  /**
   * Append bytes. Resolves once they are stored well enough to survive a crash of this process:
   * written to a local file (FileStore: the file itself; S3Store: a local spool, shipped to S3 in
   * parts of ≥ 5 MiB). A crash of the whole machine may lose the last ~1 s (fdatasync runs at most
   * once a second in the background). Appends are applied in call order.
   */
  append(data: Uint8Array): Promise<void>;
  /** Bytes appended so far. */
  readonly size: number;
  /**
   * Finish the object: after this it is complete, immutable and fully durable. With `sync: false` a FileStore
   * skips the last fdatasync (a machine crash may then lose its last ~1 s, as while it was open): for an object
   * that is about to be superseded, such as the live MP4 the standard MP4 is written from at a session's end.
   */
  close(options?: CloseOptions): Promise<void>;
  /** Give up on the object (a failed import): nothing half-made stays behind. A no-op after close(). */
  abort(): Promise<void>;
}

export interface BlobStore {
  readonly kind: "file" | "s3";
  /** Write a whole object; readers see either nothing or all of it. */
  put(key: string, data: Uint8Array): Promise<void>;
  /**
   * Start a progressive object; readable (what is appended so far) while it grows.
   * Fails when the key already exists, so a finished recording is never overwritten by accident.
   */
  openAppend(key: string): Promise<AppendHandle>;
  /** Whole object, or null when it does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  /** Bytes [start, end) of an object (end clamped to its size). Throws BlobNotFoundError when absent. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
  /** Size in bytes, or null when it does not exist. */
  size(key: string): Promise<number | null>;
  /** A stream of [start, end) for serving large objects without holding them in memory. */
  stream(key: string, start?: number, end?: number): ReadableStream<Uint8Array>;
  /**
   * Bytes [start, end) as a body the HTTP server sends by itself (a local file goes out through the
   * kernel, no JavaScript per chunk); absent or null: serve stream(). Only for an object that exists.
   */
  responseBody?(key: string, start: number, end: number): Blob | null;
  /** Delete an object; deleting a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix` (a plain string prefix), sorted. Includes objects still being appended. */
  list(prefix: string): Promise<string[]>;
  /**
   * At start, before appending: finish what a crashed predecessor of this process left half-appended on
   * the local disk (S3: spool files become objects). Returns those keys.
   */
  recoverLocal(): Promise<string[]>;
  /**
   * Makes an object whose writer died (this process's predecessor, or another node) complete from what
   * survived: files are complete as written; S3 rebuilds it from the spool or from the bucket's parts and
   * pieces (all but the last seconds). True when the object exists afterwards.
   */
  recoverAppend(key: string): Promise<boolean>;
}
