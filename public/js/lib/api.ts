// The server's JSON API as the pages use it (docs/api.md). A 401 sends the browser to the login page.

import type { ErrorBody } from "../../../src/api/common.ts";
import type { ApiMarker, RecordingDetail, RecordingItem, RecordingPage } from "../../../src/api/recordings.ts";
import type { CountedMarker, RecordingKind, RecordingStatus } from "../../../src/catalog/types.ts";

// The shapes are the server's own, derived from its route schemas (type-only: nothing of the server is bundled).
export type { ErrorBody, RecordingDetail, RecordingItem, RecordingKind, RecordingPage, RecordingStatus };
/** Kinds of marker counted per recording ("error" markers count as alerts). */
export type MarkerKind = CountedMarker;
export const MARKER_KINDS: readonly MarkerKind[] = ["clipboard", "resize", "alert", "file_transfer"];
export type Marker = ApiMarker;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function loginUrl(): string {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

export async function fetchJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { credentials: "same-origin", ...init, headers: { accept: "application/json", ...init.headers } });
  if (res.status === 401) {
    location.assign(loginUrl());
    throw new ApiError(401, "not logged in");
  }
  if (!res.ok) throw await apiError(res);
  return (await res.json()) as T;
}

/** The server's `{ "error": "..." }` as an ApiError, or the status line when the body is not JSON. */
async function apiError(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as Partial<ErrorBody> | null;
    if (typeof body?.error === "string") message = body.error;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, message);
}

/** A state-changing request with a JSON body; the answer's JSON, or null for 204 No Content. */
export async function sendJson<T>(method: string, url: string, body?: unknown): Promise<T | null> {
  const res = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    location.assign(loginUrl());
    throw new ApiError(401, "not logged in");
  }
  if (!res.ok) throw await apiError(res);
  return res.status === 204 ? null : ((await res.json()) as T);
}

export const recordingUrls = (id: string) => {
  const base = `/v1/recordings/${encodeURIComponent(id)}`;
  return {
    detail: base,
    video: `${base}/video.mp4`,
    download: `${base}/video.mp4?download=1`,
    raw: `${base}/recording.tar`,
    thumbnail: `${base}/thumbnail.png`,
    live: `${base}/live`,
    player: `/recordings/${encodeURIComponent(id)}`,
  };
};

export function listRecordings(query: URLSearchParams, signal?: AbortSignal): Promise<RecordingPage> {
  const qs = query.toString();
  return fetchJson<RecordingPage>(`/v1/recordings${qs ? `?${qs}` : ""}`, { signal });
}

export function getRecording(id: string, signal?: AbortSignal): Promise<RecordingDetail> {
  return fetchJson<RecordingDetail>(recordingUrls(id).detail, { signal });
}
