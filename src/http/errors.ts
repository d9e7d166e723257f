// Errors a route throws to answer with a status and a JSON body `{ "error": "..." }` (docs/api.md).

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const unauthenticated = () => new HttpError(401, "authentication required");
export const forbidden = (what = "this") => new HttpError(403, `you may not access ${what}`);
export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const badRequest = (message: string, extra: Record<string, unknown> = {}) => new HttpError(400, message, extra);

/** The JSON error answer; a `retry_after_s` in `extra` goes out as the Retry-After header too. */
export function jsonError(status: number, message: string, extra: Record<string, unknown> = {}): Response {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (typeof extra.retry_after_s === "number") headers["retry-after"] = String(extra.retry_after_s);
  return new Response(JSON.stringify({ error: message, ...extra }), { status, headers });
}

/** 503: a bounded piece of work has no free slot; the client is told when to try again. */
export const busy = (message: string, retryAfterSeconds: number) => new HttpError(503, message, { retry_after_s: retryAfterSeconds });

/** Elysia wraps what a body parser throws; our parsers throw HttpErrors (401/403/413) that must answer as such. */
export function httpErrorOf(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof HttpError ? cause : null;
}

/** An onError hook for a module whose routes parse their own bodies: its HttpErrors answer even without the app's hook. */
export function answerHttpError({ error }: { error: unknown }): Response | undefined {
  const http = httpErrorOf(error);
  return http ? jsonError(http.status, http.message, http.extra) : undefined;
}
