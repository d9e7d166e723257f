// Range checks and stream error wrapping shared by the stores.
import { BlobNotFoundError, BlobStoreError, errorCode, storageFailure } from "./errors.ts";

export function checkRange(key: string, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new BlobStoreError(key, `invalid range start ${start} for blob "${key}"`);
  }
  if (!Number.isSafeInteger(end) || end < start) {
    throw new BlobStoreError(key, `invalid range end ${end} (start ${start}) for blob "${key}"`);
  }
}

/** Re-throw a stream's errors as storage errors that name the key (a missing file → BlobNotFoundError). */
export function guardStream(key: string, open: () => ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  // Opened on first read: a missing object then errors the stream instead of throwing from stream().
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        reader ??= open().getReader();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        controller.error(describeReadError(key, err));
      }
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  });
}

export function describeReadError(key: string, err: unknown): BlobStoreError {
  if (err instanceof BlobStoreError) return err;
  if (errorCode(err) === "ENOENT" || errorCode(err) === "NoSuchKey") return new BlobNotFoundError(key);
  return storageFailure(key, "read", err);
}
