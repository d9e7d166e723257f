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
// Other processes reading the same bucket see a live object only once it is complete. A stream that
// was reading the spool when the object completed may fail with BlobNotFoundError once the spool is
// deleted; reading again (now from S3) gets the whole object.
import type { AppendHandle, BlobStore } from "./blobStore.ts";
import { BlobNotFoundError, BlobStoreError, errorCode } from "./errors.ts";
import { FileStore } from "./fileStore.ts";
import { validateBlobKey, validateBlobPrefix } from "./keys.ts";
import { checkRange, describeReadError, guardStream } from "./ranges.ts";
import { S3AppendHandle } from "./s3Append.ts";
import { type S3Location, S3Requests } from "./s3Requests.ts";
import { errorMessage } from "../errorMessage.ts";

export interface S3StoreConfig extends S3Location {
  /** Prepended to every key in the bucket, e.g. "deskreel/". Default "". */
  keyPrefix?: string;
  /** Local directory for the spool files of live objects. */
  spoolDir: string;
  /** Multipart part size in bytes; S3 requires at least 5 MiB for all but the last part. */
  partSize?: number;
}

export const MIN_PART_SIZE = 5 * 1024 * 1024;

export class S3Store implements BlobStore {
  readonly kind = "s3" as const;
  readonly #client: Bun.S3Client;
  readonly #requests: S3Requests;
  readonly #spool: FileStore;
  readonly #keyPrefix: string;
  readonly #partSize: number;
  readonly #live = new Map<string, S3AppendHandle>();

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
    const handle = new S3AppendHandle({
      key,
      objectKey,
      requests: this.#requests,
      putWhole: (data) => this.put(key, data),
      spool,
      partSize: this.#partSize,
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
      for (const entry of page.contents ?? []) keys.add(entry.key.slice(this.#keyPrefix.length));
      continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (continuationToken);
    for (const key of this.#live.keys()) if (key.startsWith(prefix)) keys.add(key);
    return [...keys].sort();
  }

  /**
   * Upload spool files left by a process that died while appending (each becomes a complete object
   * holding every byte that was appended) and delete them locally. Call at startup, before appending.
   */
  async recoverSpools(): Promise<string[]> {
    const recovered: string[] = [];
    for (const key of await this.#spool.list("")) {
      if (this.#live.has(key)) continue;
      try {
        // Bun streams a file body, using multipart itself for large ones.
        await this.#client.write(this.objectKey(key), Bun.file(this.#spool.pathOf(key)));
      } catch (err) {
        throw this.#failure(key, "recover the spool of", err);
      }
      await this.#spool.delete(key);
      recovered.push(key);
    }
    return recovered;
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
