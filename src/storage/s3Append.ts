// A progressive S3 object: every append goes first to a local spool file (durable against a process
// crash, and what readers of the live object are served from), and is kept in memory until at least
// one part's worth (≥ 5 MiB) has gathered; that part is then uploaded in the background while
// appends go on. close() uploads the remainder and completes the multipart upload; abort() aborts it.
// An object that never reached one part is written with a single PUT on close. With `pieces`, every
// append also reaches the bucket within seconds as a small piece object (s3Pieces.ts), so a writer that
// dies with its disk loses only those seconds.
import { concatBytes } from "../bytes.ts";
import type { AppendHandle } from "./blobStore.ts";
import { BlobStoreError } from "./errors.ts";
import type { PieceShipper } from "./s3Pieces.ts";
import type { S3Requests, UploadedPart } from "./s3Requests.ts";

type HandleState = "open" | "closing" | "closed" | "aborted" | "failed";

export interface S3AppendTarget {
  /** The store's key, and the object key in the bucket (key with the store's prefix). */
  key: string;
  objectKey: string;
  requests: S3Requests;
  /** Whole-object PUT for objects smaller than one part. */
  putWhole(data: Uint8Array): Promise<void>;
  /** The local spool the live object is also written to. */
  spool: AppendHandle;
  partSize: number;
  /** Ships appends as small piece objects until the object completes (bounded loss); null: parts only. */
  pieces: PieceShipper | null;
  /** Called once the object is complete or aborted, so reads go to S3 (or find nothing) from then on. */
  onFinished(): void;
}

/** Parts uploading or waiting to upload before append() waits for them (bounds memory to ~3 parts). */
const MAX_QUEUED_PARTS = 2;

export class S3AppendHandle implements AppendHandle {
  readonly key: string;
  #state: HandleState = "open";
  #size = 0;
  #tail: Uint8Array[] = [];
  #tailBytes = 0;
  #appends: Promise<void> = Promise.resolve();
  #uploads: Promise<void> = Promise.resolve();
  #queuedParts = 0;
  #nextPartNumber = 1;
  #uploadId: string | null = null;
  readonly #parts: UploadedPart[] = [];
  #failure: BlobStoreError | null = null;
  #uploadedBytes = 0;

  constructor(private readonly target: S3AppendTarget) {
    this.key = target.key;
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes already stored in S3 as parts (for progress reports and tests). */
  get uploadedBytes(): number {
    return this.#uploadedBytes;
  }

  append(data: Uint8Array): Promise<void> {
    if (this.#state !== "open") return Promise.reject(this.#notOpen("append to"));
    if (this.#failure) return Promise.reject(this.#failure);
    const bytes = data.slice(); // kept until uploaded: the caller may reuse its buffer
    const next = this.#appends.then(() => this.#append(bytes));
    this.#appends = next.catch(() => undefined);
    return next;
  }

  async #append(bytes: Uint8Array): Promise<void> {
    if (this.#state !== "open" && this.#state !== "closing") throw this.#notOpen("append to");
    if (this.#failure) throw this.#failure;
    await this.target.spool.append(bytes);
    this.target.pieces?.add(bytes);
    this.#size += bytes.length;
    this.#tail.push(bytes);
    this.#tailBytes += bytes.length;
    if (this.#tailBytes >= this.target.partSize) {
      this.#queuePart(this.#takeTail());
      // Back-pressure: a slow S3 slows the writer rather than filling memory.
      if (this.#queuedParts > MAX_QUEUED_PARTS) await this.#uploads;
      if (this.#failure) throw this.#failure;
    }
  }

  #takeTail(): Uint8Array {
    const part = concatBytes(this.#tail); // the tail's chunks are this handle's own copies
    this.#tail = [];
    this.#tailBytes = 0;
    return part;
  }

  #queuePart(body: Uint8Array): void {
    const partNumber = this.#nextPartNumber++;
    this.#queuedParts++;
    this.#uploads = this.#uploads.then(async () => {
      try {
        if (this.#failure || this.#state === "aborted") return;
        this.#uploadId ??= await this.target.requests.createMultipartUpload(this.target.objectKey);
        this.#parts.push(await this.target.requests.uploadPart(this.target.objectKey, this.#uploadId, partNumber, body));
        this.#uploadedBytes += body.length;
        this.target.pieces?.partsStored(this.#uploadedBytes);
      } catch (err) {
        this.#failure =
          err instanceof BlobStoreError ? err : new BlobStoreError(this.key, `upload of part ${partNumber} of "${this.key}" failed`, { cause: err });
      } finally {
        this.#queuedParts--;
      }
    });
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    if (this.#state !== "open") throw this.#notOpen("close");
    this.#state = "closing";
    await this.#appends;
    try {
      if (this.#nextPartNumber === 1) {
        await this.target.putWhole(this.#takeTail());
      } else {
        if (this.#tailBytes > 0) this.#queuePart(this.#takeTail());
        await this.#uploads;
        if (this.#failure) throw this.#failure;
        const uploadId = this.#uploadId;
        if (uploadId === null) throw new BlobStoreError(this.key, `multipart upload of "${this.key}" never started`);
        await this.target.requests.completeMultipartUpload(this.target.objectKey, uploadId, this.#parts);
      }
    } catch (err) {
      // The spool keeps every byte: the caller can abort, or a restart can recover it (S3Store.recoverSpools).
      this.#state = "failed";
      throw err instanceof BlobStoreError ? err : new BlobStoreError(this.key, `closing "${this.key}" failed`, { cause: err });
    }
    this.#state = "closed";
    this.target.onFinished();
    await this.target.pieces?.finish();
    await this.target.spool.abort(); // the object is in S3 now; the local copy goes
  }

  async abort(): Promise<void> {
    // After close() the object is complete, not half-made: delete() removes it.
    if (this.#state === "aborted" || this.#state === "closed") return;
    this.#state = "aborted";
    await this.#appends;
    await this.#uploads;
    this.target.onFinished();
    await this.target.pieces?.finish();
    if (this.#uploadId !== null) {
      await this.target.requests.abortMultipartUpload(this.target.objectKey, this.#uploadId);
    }
    await this.target.spool.abort();
  }

  #notOpen(action: string): BlobStoreError {
    return new BlobStoreError(this.key, `cannot ${action} blob "${this.key}": it is ${this.#state}`);
  }
}
