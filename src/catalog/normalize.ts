// Defaults and checks applied before anything reaches a database, identically for every backend.
import { CatalogError } from "./catalog.ts";
import {
  COUNTED_MARKERS,
  DEFAULT_AUDIT_LIMIT,
  DEFAULT_PAGE_LIMIT,
  MARKER_KINDS,
  MAX_AUDIT_LIMIT,
  MAX_PAGE_LIMIT,
  RECORDING_KINDS,
  RECORDING_STATUSES,
  VIDEO_STATES,
  type AuditEvent,
  type DeleteOutcome,
  type Marker,
  type NewRecording,
  type RecordingPatch,
  type RecordingRow,
} from "./types.ts";

function oneOf<T extends string>(allowed: readonly T[], value: unknown, what: string, id: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new CatalogError(`recording ${id}: ${what} must be one of ${allowed.join("|")}, got ${JSON.stringify(value)}`);
}

function wholeNumber(value: number, what: string, id: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new CatalogError(`recording ${id}: ${what} must be a whole number ≥ 0, got ${value}`);
  return value;
}

/** Owner first, no duplicates, no empty names. */
export function participantsWithOwner(owner: string, participants: readonly string[] = []): string[] {
  return [...new Set([owner, ...participants].filter((p) => p !== ""))];
}

/** Why a recording may not be deleted now (null: it may). */
export function deleteRefusal(row: RecordingRow | null): Exclude<DeleteOutcome, "deleted"> | null {
  if (row === null) return "missing";
  if (row.legalHold !== null) return "held";
  if (row.status === "live") return "live";
  return null;
}

export function newRecordingRow(input: NewRecording): RecordingRow {
  if (input.id === "") throw new CatalogError("a recording needs an id");
  const id = input.id;
  const row: RecordingRow = {
    id,
    kind: oneOf(RECORDING_KINDS, input.kind, "kind", id),
    user: input.user,
    login: input.login ?? "",
    desktopName: input.desktopName ?? "",
    desktopAddr: input.desktopAddr ?? "",
    cluster: input.cluster ?? "",
    startMs: wholeNumber(input.startMs, "start", id),
    endMs: input.endMs ?? null,
    durationMs: input.durationMs ?? 0,
    status: oneOf(RECORDING_STATUSES, input.status ?? "live", "status", id),
    width: input.width ?? 0,
    height: input.height ?? 0,
    videoState: oneOf(VIDEO_STATES, input.videoState ?? "none", "video state", id),
    videoDurationMs: input.videoDurationMs ?? 0,
    videoBytes: input.videoBytes ?? 0,
    participants: participantsWithOwner(input.user, input.participants),
    markerCounts: { clipboard: 0, resize: 0, alert: 0, file_transfer: 0 },
    error: input.error ?? null,
    meta: input.meta ?? {},
    legalHold: null,
    ownerNode: input.ownerNode ?? null,
  };
  return settleEnd(checkNumbers(row));
}

export function patchedRow(current: RecordingRow, patch: RecordingPatch): RecordingRow {
  const id = current.id;
  const next: RecordingRow = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    switch (field) {
      case "status":
        next.status = oneOf(RECORDING_STATUSES, value, "status", id);
        break;
      case "videoState":
        next.videoState = oneOf(VIDEO_STATES, value, "video state", id);
        break;
      case "participants":
        next.participants = participantsWithOwner(current.user, patch.participants);
        break;
      case "login":
      case "desktopName":
      case "desktopAddr":
      case "cluster":
      case "endMs":
      case "durationMs":
      case "width":
      case "height":
      case "videoDurationMs":
      case "videoBytes":
      case "error":
      case "meta":
      case "ownerNode":
        Object.assign(next, { [field]: value });
        break;
      default:
        throw new CatalogError(`recording ${id}: field "${field}" cannot be updated`);
    }
  }
  return settleEnd(checkNumbers(next));
}

function checkNumbers(row: RecordingRow): RecordingRow {
  wholeNumber(row.durationMs, "duration_ms", row.id);
  wholeNumber(row.width, "width", row.id);
  wholeNumber(row.height, "height", row.id);
  wholeNumber(row.videoDurationMs, "video duration_ms", row.id);
  wholeNumber(row.videoBytes, "video bytes", row.id);
  if (row.endMs !== null) {
    wholeNumber(row.endMs, "end", row.id);
    if (row.endMs < row.startMs) throw new CatalogError(`recording ${row.id}: end ${row.endMs} is before start ${row.startMs}`);
  }
  return row;
}

/** Only a live recording has an open end; a finished one without an end ends at start + duration. */
function settleEnd(row: RecordingRow): RecordingRow {
  if (row.status !== "live" && row.endMs === null) row.endMs = row.startMs + row.durationMs;
  return row;
}

export function checkMarker(id: string, marker: Marker): Marker {
  oneOf(MARKER_KINDS, marker.kind, "marker kind", id);
  wholeNumber(marker.tMs, "marker t_ms", id);
  return marker;
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new CatalogError(`limit must be a whole number ≥ 1, got ${limit}`);
  return Math.min(limit, MAX_PAGE_LIMIT);
}

export function auditLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_AUDIT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new CatalogError(`limit must be a whole number ≥ 1, got ${limit}`);
  return Math.min(limit, MAX_AUDIT_LIMIT);
}

export function checkCountedMarker(kind: string): void {
  if (!(COUNTED_MARKERS as readonly string[]).includes(kind)) {
    throw new CatalogError(`has_marker must be one of ${COUNTED_MARKERS.join("|")}, got ${JSON.stringify(kind)}`);
  }
}

/** The event's time in ms; audit events without a parseable RFC 3339 time are refused. */
export function auditTimeMs(event: AuditEvent): number {
  const ms = typeof event.time === "string" ? Date.parse(event.time) : Number.NaN;
  if (!Number.isFinite(ms) || typeof event.event !== "string" || event.event === "") {
    throw new CatalogError(`audit event needs "event" and an RFC 3339 "time": ${JSON.stringify(event).slice(0, 200)}`);
  }
  return ms;
}
