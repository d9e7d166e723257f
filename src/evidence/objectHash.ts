// SHA-256 of stored objects, read as streams: a large MP4 is hashed chunk by chunk, the event loop running
// between chunks, never held whole in memory nor hashed in one blocking call.
import type { BlobStore } from "../storage/blobStore.ts";
import { toHex } from "./chainLink.ts";
import { chunksOf } from "../bytes.ts";

export interface ObjectDigest {
  key: string;
  bytes: number;
  sha256: string;
}

/** The object's size and SHA-256, or null when it does not exist. */
export async function hashObject(store: BlobStore, key: string): Promise<ObjectDigest | null> {
  const size = await store.size(key);
  if (size === null) return null;
  const hasher = new Bun.CryptoHasher("sha256");
  let bytes = 0;
  for await (const chunk of chunksOf(store.stream(key, 0, size))) {
    hasher.update(chunk);
    bytes += chunk.length;
  }
  return { key, bytes, sha256: toHex(hasher.digest() as Uint8Array) };
}

/** SHA-256 of bytes [offset, offset + length) of an object, hex (a part of a recording). */
export async function hashRange(store: BlobStore, key: string, offset: number, length: number): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of chunksOf(store.stream(key, offset, offset + length))) hasher.update(chunk);
  return toHex(hasher.digest() as Uint8Array);
}

/**
 * One pass over an object: its whole digest, and the SHA-256 of each of `ranges` (contiguous parts from 0,
 * as a recording's chain lists them). Ranges past the object's end come back null.
 */
export async function hashObjectParts(
  store: BlobStore,
  key: string,
  ranges: ReadonlyArray<{ offset: number; length: number }>,
): Promise<{ whole: ObjectDigest; parts: Array<string | null> } | null> {
  const size = await store.size(key);
  if (size === null) return null;
  const whole = new Bun.CryptoHasher("sha256");
  const parts: Array<string | null> = [];
  let index = 0;
  let partHasher = new Bun.CryptoHasher("sha256");
  let position = 0;
  const partEnd = () => (ranges[index] ? ranges[index].offset + ranges[index].length : Infinity);
  for await (const chunk of chunksOf(store.stream(key, 0, size))) {
    whole.update(chunk);
    let at = 0;
    while (at < chunk.length && index < ranges.length) {
      const take = Math.min(chunk.length - at, partEnd() - position);
      partHasher.update(chunk.subarray(at, at + take));
      at += take;
      position += take;
      if (position === partEnd()) {
        parts.push(toHex(partHasher.digest() as Uint8Array));
        partHasher = new Bun.CryptoHasher("sha256");
        index++;
      }
    }
    position += chunk.length - at;
  }
  while (parts.length < ranges.length) parts.push(null);
  return { whole: { key, bytes: size, sha256: toHex(whole.digest() as Uint8Array) }, parts };
}
