// An append-only local file. Each append is written with pwrite at the current end before its promise
// resolves, so the bytes are in the file (the kernel's page cache) and survive a crash of this process.
// fdatasync runs in the background at most once per sync interval (default 1 s) and once more on
// close: a power loss or kernel crash loses at most about that interval of appended bytes.
import type { FileHandle } from "node:fs/promises";
import { unlink } from "node:fs/promises";
import type { AppendHandle, CloseOptions } from "./blobStore.ts";
import { BlobStoreError, storageFailure } from "./errors.ts";

type HandleState = "open" | "closed" | "aborted";

export class FileAppendHandle implements AppendHandle {
  #size = 0;
  #state: HandleState = "open";
  /** Appends run one after another, in call order. */
  #writes: Promise<void> = Promise.resolve();
  #pendingWrites = 0;
  #dirty = false;
  #syncing: Promise<void> | null = null;
  #syncError: unknown = null;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    readonly key: string,
    private readonly path: string,
    private readonly file: FileHandle,
    syncIntervalMs: number,
    /** The directory entry made durable (started at open; awaited on close, so close still means durable). */
    private readonly named: Promise<void> = Promise.resolve(),
  ) {
    this.#timer = setInterval(() => void this.#syncInBackground(), syncIntervalMs);
    // A forgotten handle must not keep the process alive.
    this.#timer.unref();
  }

  get size(): number {
    return this.#size;
  }

  append(data: Uint8Array): Promise<void> {
    if (this.#state !== "open") {
      return Promise.reject(new BlobStoreError(this.key, `cannot append to blob "${this.key}": it is ${this.#state}`));
    }
    // The caller may reuse its buffer once append() returns if we are not writing at once.
    const bytes = this.#pendingWrites > 0 ? data.slice() : data;
    this.#pendingWrites++;
    const write = this.#writes.then(() => this.#writeAll(bytes));
    this.#writes = write.catch(() => undefined).finally(() => this.#pendingWrites--);
    return write;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    if (this.#state !== "open") throw new BlobStoreError(this.key, `cannot append to blob "${this.key}": it is ${this.#state}`);
    let offset = 0;
    try {
      while (offset < bytes.length) {
        const { bytesWritten } = await this.file.write(bytes, offset, bytes.length - offset, this.#size + offset);
        offset += bytesWritten;
      }
    } catch (err) {
      // Cut off a partly written chunk so readers never see half an append.
      await this.file.truncate(this.#size).catch(() => undefined);
      throw storageFailure(this.key, `append ${bytes.length} bytes to`, err);
    }
    this.#size += bytes.length;
    this.#dirty = true;
  }

  async #syncInBackground(): Promise<void> {
    if (!this.#dirty || this.#syncing || this.#state !== "open") return;
    this.#dirty = false;
    this.#syncing = this.file
      .datasync()
      .catch((err: unknown) => {
        // Surfaced on close(): a failed background sync means durability was not reached.
        this.#syncError = err;
      })
      .finally(() => {
        this.#syncing = null;
      });
    await this.#syncing;
  }

  async close(options: CloseOptions = {}): Promise<void> {
    if (this.#state === "closed") return;
    if (this.#state === "aborted") throw new BlobStoreError(this.key, `cannot close blob "${this.key}": it was aborted`);
    await this.#writes;
    this.#state = "closed";
    clearInterval(this.#timer);
    if (this.#syncing) await this.#syncing;
    try {
      await this.named;
      if (options.sync !== false) await this.file.datasync();
    } catch (err) {
      throw storageFailure(this.key, "sync", err);
    } finally {
      await this.file.close();
    }
    if (this.#syncError !== null) throw storageFailure(this.key, "sync", this.#syncError);
  }

  async abort(): Promise<void> {
    // After close() the object is complete, not half-made: delete() removes it.
    if (this.#state !== "open") return;
    this.#state = "aborted";
    clearInterval(this.#timer);
    await this.#writes;
    if (this.#syncing) await this.#syncing;
    await this.named;
    await this.file.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }
}
