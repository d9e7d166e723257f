// The deskreel HTTP API as the CLI uses it: bearer token, JSON errors turned into readable messages,
// "no server here" told apart from every other failure so commands can fall back to the data dir.
import type { ErrorBody } from "../api/common.ts";
import { CliError, ServerUnreachableError } from "./errors.ts";
import { errorMessage } from "../errorMessage.ts";

/** How long a JSON request may take (downloads and uploads have no limit). */
const JSON_TIMEOUT_MS = 15_000;

/** The server's error body (its schema is src/api/common.ts ErrorBody). */
export type ApiErrorBody = ErrorBody;

function asErrorBody(value: unknown): ApiErrorBody | null {
  if (typeof value !== "object" || value === null || !("error" in value) || typeof value.error !== "string") return null;
  const offset = "offset" in value && typeof value.offset === "number" ? value.offset : undefined;
  return { error: value.error, offset };
}

/** The `{ "error": ... }` of a failed response, or a description of its status. */
export async function readError(res: Response): Promise<ApiErrorBody> {
  const text = await res.text().catch(() => "");
  try {
    const body = asErrorBody(JSON.parse(text));
    if (body) return body;
  } catch {
    // not JSON
  }
  return { error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}` };
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null,
  ) {}

  url(path: string): string {
    return new URL(path, this.baseUrl.endsWith("/") ? this.baseUrl : `${this.baseUrl}/`).toString();
  }

  /** Any request. Throws ServerUnreachableError when nothing answers; HTTP errors are the caller's. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set("authorization", `Bearer ${this.token}`);
    try {
      return await fetch(this.url(path), { ...init, headers });
    } catch (err) {
      if (init.signal?.aborted && init.signal.reason instanceof Error && init.signal.reason.name !== "TimeoutError") throw err;
      throw new ServerUnreachableError(this.baseUrl, errorMessage(err));
    }
  }

  /** A request that must succeed: 401/403/other errors become CliErrors with a hint. */
  async ok(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await this.fetch(path, init);
    if (res.ok) return res;
    throw await this.failure(res);
  }

  async json(path: string): Promise<unknown> {
    const res = await this.ok(path, { signal: AbortSignal.timeout(JSON_TIMEOUT_MS) });
    return res.json();
  }

  /** A CliError for a failed response. */
  async failure(res: Response): Promise<CliError> {
    const body = await readError(res);
    if (res.status === 401) {
      const hint = this.token ? "the server did not accept the token in DESKREEL_TOKEN / DESKREEL_ADMIN_TOKEN" : "no token set";
      return new CliError(`${this.baseUrl} needs a credential (401: ${body.error}); ${hint}: set DESKREEL_TOKEN to a valid token`);
    }
    if (res.status === 403) return new CliError(`forbidden (403): ${body.error}; use a token with more rights`);
    return new CliError(body.error.startsWith("HTTP ") ? body.error : `${body.error} (HTTP ${res.status})`);
  }
}
