// Storage errors name the key they concern, so a log line says which recording failed.
import { errorMessage } from "../errorMessage.ts";

export class BlobStoreError extends Error {
  constructor(
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "BlobStoreError";
  }
}

export class BlobNotFoundError extends BlobStoreError {
  constructor(key: string) {
    super(key, `blob "${key}" does not exist`);
    this.name = "BlobNotFoundError";
  }
}

export class InvalidBlobKeyError extends BlobStoreError {
  constructor(key: string, reason: string) {
    super(key, `invalid blob key ${JSON.stringify(key)}: ${reason}`);
    this.name = "InvalidBlobKeyError";
  }
}

/** The errno-style code of a Node/Bun system error, if it has one. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** Wrap a failed filesystem call with the key and a plain explanation for the common causes. */
export function storageFailure(key: string, action: string, err: unknown): BlobStoreError {
  const code = errorCode(err);
  const detail = errorMessage(err);
  if (code === "ENOSPC") {
    return new BlobStoreError(key, `storage full (ENOSPC): cannot ${action} blob "${key}": no space left on device`, {
      cause: err,
    });
  }
  if (code === "EDQUOT") {
    return new BlobStoreError(key, `disk quota exceeded (EDQUOT): cannot ${action} blob "${key}"`, { cause: err });
  }
  return new BlobStoreError(key, `cannot ${action} blob "${key}": ${detail}`, { cause: err });
}
