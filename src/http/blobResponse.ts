// Serve one stored object over HTTP with RFC 9110 range semantics (206/416, HEAD, ETag, If-Range,
// If-None-Match), streaming from the store so a multi-GB file never sits in memory.
import type { BlobStore } from "../storage/blobStore.ts";
import { contentRange, decideRange, etagMatches, ifRangeAllows } from "./range.ts";

export interface BlobResponseOptions {
  contentType: string;
  /** A strong validator that changes whenever the bytes do. */
  etag: string;
  /** Sets Content-Disposition: attachment with this file name. */
  downloadName?: string;
  /** Immutable objects may be cached; growing ones (live video) must be revalidated. */
  immutable: boolean;
}

/** A Content-Disposition value that downloads as `name`. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The response for GET/HEAD of `key`, or null when the object does not exist. */
export async function blobResponse(store: BlobStore, key: string, request: Request, options: BlobResponseOptions): Promise<Response | null> {
  const size = await store.size(key);
  if (size === null) return null;
  const headers = new Headers({
    "content-type": options.contentType,
    "accept-ranges": "bytes",
    etag: options.etag,
    "cache-control": options.immutable ? "private, max-age=3600" : "private, no-cache",
  });
  if (options.downloadName) headers.set("content-disposition", attachment(options.downloadName));
  if (etagMatches(request.headers.get("if-none-match"), options.etag)) return new Response(null, { status: 304, headers });

  const head = request.method === "HEAD";
  const rangeAllowed = ifRangeAllows(request.headers.get("if-range"), options.etag, null);
  const decision = rangeAllowed ? decideRange(request.headers.get("range"), size) : { kind: "full" as const };
  if (decision.kind === "unsatisfiable") {
    headers.set("content-range", `bytes */${size}`);
    headers.set("content-type", "application/json; charset=utf-8");
    return new Response(head ? null : JSON.stringify({ error: `range not satisfiable: the object has ${size} bytes` }), { status: 416, headers });
  }
  if (decision.kind === "partial") {
    const { start, end } = decision.range;
    headers.set("content-range", contentRange(decision.range, size));
    headers.set("content-length", String(end - start));
    return new Response(head ? null : body(store, key, start, end), { status: 206, headers });
  }
  headers.set("content-length", String(size));
  return new Response(head || size === 0 ? null : body(store, key, 0, size), { status: 200, headers });
}

function body(store: BlobStore, key: string, start: number, end: number): Blob | ReadableStream<Uint8Array> {
  return store.responseBody?.(key, start, end) ?? store.stream(key, start, end);
}
