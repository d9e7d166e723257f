// BlobStore on an S3-compatible bucket, through Bun.S3Client (reads, whole-object writes, listing)
// plus signed multipart calls (s3Requests.ts) for progressive objects.
//
// Live objects. S3 cannot read an unfinished multipart upload, so an object being appended lives in
// two places until it is closed:
//   - a local spool file (a FileStore under `spoolDir`, same key) that receives every append first;
//     all reads of a live key (get/getRange/size/stream/list) are served from it, in this process;
//   - the bucket, which receives the object as multipart parts of ≥ `partSize` (5 MiB) as soon as that
//     much has gathered (progressive upload: no burst at the end of a two-hour session).
// On close the last part is uploaded and the upload completed; from then on reads go to S3 and the
// spool file is deleted. On abort the multipart upload is aborted and the spool deleted.
// If the process dies mid-session, the spool file still holds every appended byte: recoverSpools()
// at the next start uploads such leftovers as whole objects. The abandoned multipart upload of the
// dead process is not visible to readers; a bucket lifecycle rule (AbortIncompleteMultipartUpload)
// or abandonedUploads()/abortUpload() clears it.
// Bounded loss: appends also reach the bucket within `pieceIntervalMs` as small piece objects
// (s3Pieces.ts), so when a node dies with its disk, recoverAppend() on any node rebuilds the object from
// the parts and pieces (s3Recover.ts), losing at most those seconds.
// Other processes reading the same bucket see a live object only once it is complete. A stream that
// was reading the spool when the object completed may fail with BlobNotFoundError once the spool is
// deleted; reading again (now from S3) gets the whole object.
import type { AppendHandle, BlobStore } from "./blobStore.ts";
import { BlobNotFoundError, BlobStoreError, errorCode } from "./errors.ts";
import { FileStore } from "./fileStore.ts";
import { validateBlobKey, validateBlobPrefix } from "./keys.ts";
import { checkRange, describeReadError, guardStream } from "./ranges.ts";
import { S3AppendHandle } from "./s3Append.ts";
import { PIECES_SEGMENT, type PieceStats, PieceShipper, piecesPrefix } from "./s3Pieces.ts";
import { assembleAbandoned } from "./s3Recover.ts";
import { type S3Location, S3Requests } from "./s3Requests.ts";
import { errorMessage } from "../errorMessage.ts";

export interface S3StoreConfig extends S3Location {
  /** Prepended to every key in the bucket, e.g. "deskreel/". Default "". */
  keyPrefix?: string;
  /** Local directory for the spool files of live objects. */
  spoolDir: string;
  /** Multipart part size in bytes; S3 requires at least 5 MiB for all but the last part. */
  partSize?: number;
  /** Every appended byte is in the bucket (as a piece) within this long; 0: parts only. Default 2000. */
  pieceIntervalMs?: number;
  log?: (line: string) => void;
}

export const DEFAULT_PIECE_INTERVAL_MS = 2000;

export const MIN_PART_SIZE = 5 * 1024 * 1024;

export class S3Store implements BlobStore {
  readonly kind = "s3" as const;
  readonly #client: Bun.S3Client;
  readonly #requests: S3Requests;
  readonly #spool: FileStore;
  readonly #keyPrefix: string;
  readonly #partSize: number;
  readonly #live = new Map<string, S3AppendHandle>();
  readonly #pieceIntervalMs: number;
  readonly #log: (line: string) => void;
  /** What the pieces cost so far, all objects together (benchmarks report it per session-hour). */
  readonly pieceStats: PieceStats = { puts: 0, putBytes: 0, deletes: 0, failures: 0 };

  constructor(config: S3StoreConfig) {
    this.#client = new Bun.S3Client({
      endpoint: config.endpoint,
      bucket: config.bucket,
      region: config.region,
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      sessionToken: config.sessionToken,
      virtualHostedStyle: config.virtualHostedStyle ?? false,
    });
    this.#requests = new S3Requests(config);
    this.#spool = new FileStore(config.spoolDir);
    this.#keyPrefix = config.keyPrefix ?? "";
    this.#partSize = config.partSize ?? MIN_PART_SIZE;
    this.#pieceIntervalMs = config.pieceIntervalMs ?? DEFAULT_PIECE_INTERVAL_MS;
    this.#log = config.log ?? (() => undefined);
    if (this.#partSize < MIN_PART_SIZE) {
      throw new Error(`S3 part size ${this.#partSize} is below the S3 minimum of ${MIN_PART_SIZE} bytes`);
    }
  }

  /** The object key in the bucket for a store key. */
  objectKey(key: string): string {
    return this.#keyPrefix + validateBlobKey(key);
  }

  /** The signed multipart/bucket calls, for setup and inspection. */
  get requests(): S3Requests {
    return this.#requests;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      // A single PUT (or Bun's own multipart for big bodies) becomes visible all at once.
      await this.#client.write(objectKey, data);
    } catch (err) {
      throw this.#failure(key, `write ${data.length} bytes to`, err);
    }
  }

  async openAppend(key: string): Promise<AppendHandle> {
    const objectKey = this.objectKey(key);
    if (this.#live.has(key)) throw new BlobStoreError(key, `cannot open blob "${key}" for appending: it is already being appended`);
    if (await this.#exists(key, objectKey)) {
      throw new BlobStoreError(key, `cannot open blob "${key}" for appending: it already exists`);
    }
    let spool: AppendHandle;
    try {
      spool = await this.#spool.openAppend(key);
    } catch (err) {
      throw new BlobStoreError(key, `cannot open blob "${key}" for appending: a spool file from an earlier run exists (recoverSpools uploads it)`, {
        cause: err,
      });
    }
    const pieces = this.#pieceIntervalMs > 0
      ? new PieceShipper(this.#requests, this.#keyPrefix, key, this.#pieceIntervalMs, this.pieceStats, this.#log)
      : null;
    const handle = new S3AppendHandle({
      key,
      objectKey,
      requests: this.#requests,
      putWhole: (data) => this.put(key, data),
      spool,
      partSize: this.#partSize,
      pieces,
      onFinished: () => this.#live.delete(key),
    });
    this.#live.set(key, handle);
    return handle;
  }

  async get(key: string): Promise<Uint8Array | null> {
    const objectKey = this.objectKey(key);
    if (this.#live.has(key)) return this.#spool.get(key);
    try {
      return await this.#client.file(objectKey).bytes();
    } catch (err) {
      if (errorCode(err) === "NoSuchKey") return null;
      throw this.#failure(key, "read", err);
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    checkRange(key, start, end);
    const objectKey = this.objectKey(key);
    if (this.#live.has(key)) return this.#spool.getRange(key, start, end);
    const size = await this.size(key);
    if (size === null) throw new BlobNotFoundError(key);
    const stop = Math.min(end, size);
    if (start >= stop) return new Uint8Array(0);
    try {
      return await this.#client.file(objectKey).slice(start, stop).bytes();
    } catch (err) {
      throw describeReadError(key, err);
    }
  }

  async size(key: string): Promise<number | null> {
    const objectKey = this.objectKey(key);
    const live = this.#live.get(key);
    if (live) return live.size;
    try {
      return (await this.#client.stat(objectKey)).size;
    } catch (err) {
      if (errorCode(err) === "NoSuchKey") return null;
      throw this.#failure(key, "stat", err);
    }
  }

  stream(key: string, start = 0, end?: number): ReadableStream<Uint8Array> {
    checkRange(key, start, end ?? Number.MAX_SAFE_INTEGER);
    const objectKey = this.objectKey(key);
    if (this.#live.has(key)) return this.#spool.stream(key, start, end);
    if (end !== undefined && end <= start) return new Blob([]).stream();
    const file = this.#client.file(objectKey);
    return guardStream(key, () => (end === undefined ? file.slice(start) : file.slice(start, end)).stream());
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.#client.delete(objectKey);
    } catch (err) {
      if (errorCode(err) !== "NoSuchKey") throw this.#failure(key, "delete", err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    validateBlobPrefix(prefix);
    const keys = new Set<string>();
    let continuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.list({ prefix: this.#keyPrefix + prefix, continuationToken, maxKeys: 1000 });
      } catch (err) {
        throw this.#failure(prefix, "list", err);
      }
      for (const entry of page.contents ?? []) {
        const key = entry.key.slice(this.#keyPrefix.length);
        if (!key.startsWith(`${PIECES_SEGMENT}/`)) keys.add(key);
      }
      continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (continuationToken);
    for (const key of this.#live.keys()) if (key.startsWith(prefix)) keys.add(key);
    return [...keys].sort();
  }

  /** Bucket keys (with the store's prefix, pieces included) and sizes under a bucket prefix. */
  async listObjects(bucketPrefix: string): Promise<{ key: string; size: number }[]> {
    const out: { key: string; size: number }[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.#client.list({ prefix: bucketPrefix, continuationToken, maxKeys: 1000 });
      for (const entry of page.contents ?? []) out.push({ key: entry.key, size: entry.size ?? 0 });
      continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (continuationToken);
    return out;
  }

  /**
   * Upload spool files left by a process that died while appending (each becomes a complete object
   * holding every byte that was appended) and delete them locally. Call at startup, before appending.
   */
  async recoverSpools(): Promise<string[]> {
    const recovered: string[] = [];
    for (const key of await this.#spool.list("")) {
      if (this.#live.has(key)) continue;
      await this.#uploadSpool(key);
      recovered.push(key);
    }
    return recovered;
  }

  recoverLocal(): Promise<string[]> {
    return this.recoverSpools();
  }

  /**
   * Makes `key` a complete object after its writer died: from this node's spool when it has one (every
   * byte), else from the parts and pieces in the bucket (all but the last seconds). True when the object
   * exists afterwards; a key being appended in this process is left alone.
   */
  async recoverAppend(key: string): Promise<boolean> {
    if (this.#live.has(key)) return true;
    const objectKey = this.objectKey(key);
    if ((await this.#spool.size(key)) !== null) {
      await this.#uploadSpool(key);
      return true;
    }
    if (await this.#exists(key, objectKey)) return true;
    try {
      const bucket = { list: (prefix: string) => this.listObjects(prefix), read: (k: string) => this.#client.file(k).bytes() };
      const assembled = await assembleAbandoned(this.#requests, bucket, this.#keyPrefix, key, objectKey);
      if (assembled) this.#log(`recovered "${key}" from the bucket: ${assembled.bytes} bytes (${assembled.partBytes} in parts, ${assembled.pieces} pieces)`);
      return assembled !== null;
    } catch (err) {
      throw this.#failure(key, "reassemble", err);
    }
  }

  /** A spool left by a dead process becomes the whole object; its open upload and pieces are cleared. */
  async #uploadSpool(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      // Bun streams a file body, using multipart itself for large ones.
      await this.#client.write(objectKey, Bun.file(this.#spool.pathOf(key)));
      for (const upload of await this.#requests.listMultipartUploads(objectKey)) {
        if (upload.key === objectKey) await this.#requests.abortMultipartUpload(objectKey, upload.uploadId);
      }
    } catch (err) {
      throw this.#failure(key, "recover the spool of", err);
    }
    await this.#deletePieces(key);
    await this.#spool.delete(key);
  }

  async #deletePieces(key: string): Promise<void> {
    try {
      const pieces = await this.listObjects(piecesPrefix(this.#keyPrefix, key));
      if (pieces.length > 0) await this.#requests.deleteObjects(pieces.map((p) => p.key));
    } catch (err) {
      throw this.#failure(key, "clear the pieces of", err);
    }
  }

  /** Multipart uploads still open in the bucket under this store's prefix (e.g. left by a crash). */
  abandonedUploads(): Promise<{ key: string; uploadId: string }[]> {
    return this.#requests.listMultipartUploads(this.#keyPrefix);
  }

  async #exists(key: string, objectKey: string): Promise<boolean> {
    try {
      return await this.#client.exists(objectKey);
    } catch (err) {
      throw this.#failure(key, "check", err);
    }
  }

  #failure(key: string, action: string, err: unknown): BlobStoreError {
    if (err instanceof BlobStoreError) return err;
    const detail = errorMessage(err);
    return new BlobStoreError(key, `S3: cannot ${action} blob "${key}": ${detail}`, { cause: err });
  }
}
