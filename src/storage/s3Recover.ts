// Rebuilds a live S3 object whose writer died with its disk: the stored multipart parts (a contiguous
// run from part 1) plus the pieces after them (s3Pieces.ts) become one complete object, the same object
// a normal close makes. Then the pieces and any other open upload of the key are cleared.
import { pieceOffset, piecesPrefix } from "./s3Pieces.ts";
import type { S3Requests, UploadedPart } from "./s3Requests.ts";

export interface AssembledObject {
  /** Bytes in the completed object. */
  bytes: number;
  /** Of which from multipart parts. */
  partBytes: number;
  /** Piece objects read. */
  pieces: number;
}

/** Bytes from contiguous pieces starting at or before `from` (those after a hole are unusable). */
async function bytesFromPieces(
  pieces: { key: string; offset: number; size: number }[],
  from: number,
  read: (objectKey: string) => Promise<Uint8Array>,
): Promise<{ data: Uint8Array; used: number }> {
  const chunks: Uint8Array[] = [];
  let at = from;
  let used = 0;
  for (const piece of pieces) {
    const end = piece.offset + piece.size;
    if (end <= at) continue;
    if (piece.offset > at) break; // a hole: nothing after it can be placed
    const body = await read(piece.key);
    chunks.push(body.subarray(at - piece.offset));
    at = piece.offset + body.length;
    used++;
  }
  const data = new Uint8Array(at - from);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.length;
  }
  return { data, used };
}

/** Whole-object reads and listing of bucket keys (Bun.S3Client's, in S3Store). */
export interface BucketObjects {
  list(prefix: string): Promise<{ key: string; size: number }[]>;
  read(objectKey: string): Promise<Uint8Array>;
}

/**
 * Completes `objectKey` from what its dead writer left in the bucket. Returns null when nothing was left
 * (no parts, no pieces).
 */
export async function assembleAbandoned(
  requests: S3Requests,
  bucket: BucketObjects,
  keyPrefix: string,
  key: string,
  objectKey: string,
): Promise<AssembledObject | null> {
  const read = (k: string) => bucket.read(k);
  const pieceObjects = (await bucket.list(piecesPrefix(keyPrefix, key)))
    .map((o) => ({ key: o.key, offset: pieceOffset(o.key), size: o.size }))
    .filter((p): p is { key: string; offset: number; size: number } => p.offset !== null)
    .sort((a, b) => a.offset - b.offset);
  const uploads = (await requests.listMultipartUploads(objectKey)).filter((u) => u.key === objectKey);

  // The upload with the longest run of parts from 1 wins (a key has one writer; more is left-over).
  let best: { uploadId: string; parts: UploadedPart[]; bytes: number } | null = null;
  for (const upload of uploads) {
    const listed = await requests.listPartDetails(objectKey, upload.uploadId);
    const run: UploadedPart[] = [];
    let bytes = 0;
    for (const part of listed) {
      if (part.partNumber !== run.length + 1) break;
      run.push({ partNumber: part.partNumber, etag: part.etag });
      bytes += part.size;
    }
    if (best === null || bytes > best.bytes) best = { uploadId: upload.uploadId, parts: run, bytes };
  }
  const partBytes = best?.bytes ?? 0;
  const tail = await bytesFromPieces(pieceObjects, partBytes, read);
  if (partBytes === 0 && tail.data.length === 0) {
    for (const upload of uploads) await requests.abortMultipartUpload(objectKey, upload.uploadId);
    if (pieceObjects.length > 0) await requests.deleteObjects(pieceObjects.map((p) => p.key));
    return null;
  }

  if (best !== null && best.parts.length > 0) {
    const parts = [...best.parts];
    if (tail.data.length > 0) {
      // The last part may be any size; a part with this number left in flight is simply replaced.
      parts.push(await requests.uploadPart(objectKey, best.uploadId, parts.length + 1, tail.data));
    }
    await requests.completeMultipartUpload(objectKey, best.uploadId, parts);
  } else {
    await requests.putObject(objectKey, tail.data);
  }
  for (const upload of uploads) {
    if (upload.uploadId === best?.uploadId && best.parts.length > 0) continue;
    await requests.abortMultipartUpload(objectKey, upload.uploadId);
  }
  if (pieceObjects.length > 0) await requests.deleteObjects(pieceObjects.map((p) => p.key));
  return { bytes: partBytes + tail.data.length, partBytes, pieces: tail.used };
}
