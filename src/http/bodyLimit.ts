// Request bodies are read only when the route allows it and the caller may use the route: the declared size is
// checked before anything is read (413 at once), then the bytes are counted as they stream in (chunked bodies
// have no Content-Length) and reading stops at the limit. Nothing is buffered for a caller who will be refused.
import { HttpError } from "./errors.ts";

/** JSON (and login form) bodies: far more than any account or login request needs. */
export const JSON_BODY_LIMIT = 1024 * 1024;

export const tooLarge = (limit: number) => new HttpError(413, `request body larger than ${limit} bytes`, { limit });

/** 413 at once when Content-Length already says the body is too large. */
export function checkDeclaredSize(request: Request, limit: number): void {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
}

/**
 * The body's bytes, refusing (413) past `limit` without reading further. `onChunk` sees each chunk as it
 * arrives (progress, or feeding a parser) — the whole body is still returned, in one buffer.
 */
export async function readBodyLimited(request: Request, limit: number): Promise<Uint8Array> {
  checkDeclaredSize(request, limit);
  const body = request.body;
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel("request body too large").catch(() => undefined);
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** A JSON, urlencoded or multipart form body as an object of its fields; an empty body is `{}`. */
export async function parseFormOrJson(request: Request, bytes: Uint8Array, contentType: string): Promise<unknown> {
  if (bytes.byteLength === 0) return {};
  const type = contentType.toLowerCase();
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(new TextDecoder().decode(bytes)));
  if (type === "multipart/form-data") {
    const form = await new Response(bytes.slice(), { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData();
    return Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    throw new HttpError(400, "the request body could not be parsed (JSON expected)");
  }
}

/**
 * An Elysia `parse` hook for a JSON / form route: the declared size first, then `gate` (who may send this — it
 * throws 401/403), and only then the body, counted as it streams in.
 */
export function limitedBody(options: { limit: number; gate?: (request: Request) => Promise<unknown> }) {
  return async function limitedBodyParser({ request }: { request: Request }, contentType: string): Promise<unknown> {
    checkDeclaredSize(request, options.limit);
    await options.gate?.(request);
    return parseFormOrJson(request, await readBodyLimited(request, options.limit), contentType);
  };
}
