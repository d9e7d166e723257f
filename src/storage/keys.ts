// Blob keys are relative, slash-separated paths. They become file paths under the FileStore root and
// object names in S3, so anything that could escape the root or confuse either is rejected up front.
import { InvalidBlobKeyError } from "./errors.ts";

const MAX_KEY_LENGTH = 512;
// Conservative on purpose: ids, extensions and separators are all a recording key needs.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._@=+-]*$/;

/** Throws InvalidBlobKeyError unless `key` is a safe relative key; returns it unchanged otherwise. */
export function validateBlobKey(key: string): string {
  if (key.length === 0) throw new InvalidBlobKeyError(key, "empty");
  if (key.length > MAX_KEY_LENGTH) throw new InvalidBlobKeyError(key, `longer than ${MAX_KEY_LENGTH} characters`);
  if (key.startsWith("/")) throw new InvalidBlobKeyError(key, "absolute paths are not allowed");
  if (key.includes("\\")) throw new InvalidBlobKeyError(key, "backslashes are not allowed");
  for (const segment of key.split("/")) {
    if (segment === "") throw new InvalidBlobKeyError(key, "empty path segment");
    if (segment === "." || segment === "..") throw new InvalidBlobKeyError(key, `"${segment}" segments are not allowed`);
    // A leading dot is reserved for the store's own temporary files.
    if (!SEGMENT.test(segment)) throw new InvalidBlobKeyError(key, `segment "${segment}" has characters outside [A-Za-z0-9._@=+-] or starts with "."`);
  }
  return key;
}

/** Prefixes for list() may end in "/" or be empty, but otherwise follow the key rules. */
export function validateBlobPrefix(prefix: string): string {
  if (prefix === "") return prefix;
  const trimmed = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  // A partial last segment ("recordings/ab") is fine; validate it as a key.
  validateBlobKey(trimmed);
  return prefix;
}
