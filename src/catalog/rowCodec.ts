// Recording rows to and from database columns; the same column names in SQLite and PostgreSQL
// ("user" and "end" are reserved words, hence user_name and end_ms).
import { CatalogError } from "./catalog.ts";
import type { LegalHold, RecordingKind, RecordingRow, RecordingStatus, VideoState } from "./types.ts";

/** Columns written on insert, in order. */
export const RECORDING_COLUMNS = [
  "id",
  "kind",
  "user_name",
  "login",
  "desktop_name",
  "desktop_addr",
  "cluster",
  "start_ms",
  "end_ms",
  "duration_ms",
  "status",
  "width",
  "height",
  "video_state",
  "video_duration_ms",
  "video_bytes",
  "clipboard_count",
  "resize_count",
  "alert_count",
  "file_transfer_count",
  "error",
  "meta",
  "participants",
  "search_text",
  "owner_node",
] as const;

export type ColumnValue = string | number | null;

/** What q searches: lower-cased, one field per line so a match cannot straddle two fields. */
export function searchText(row: RecordingRow): string {
  return [row.user, row.login, row.desktopName, row.desktopAddr, row.id].join("\n").toLowerCase();
}

export function recordingValues(row: RecordingRow): ColumnValue[] {
  return [
    row.id,
    row.kind,
    row.user,
    row.login,
    row.desktopName,
    row.desktopAddr,
    row.cluster,
    row.startMs,
    row.endMs,
    row.durationMs,
    row.status,
    row.width,
    row.height,
    row.videoState,
    row.videoDurationMs,
    row.videoBytes,
    row.markerCounts.clipboard,
    row.markerCounts.resize,
    row.markerCounts.alert,
    row.markerCounts.file_transfer,
    row.error,
    JSON.stringify(row.meta),
    JSON.stringify(row.participants),
    searchText(row),
    row.ownerNode,
  ];
}

function text(record: Record<string, unknown>, column: string): string {
  const value = record[column];
  if (typeof value === "string") return value;
  throw new CatalogError(`catalog column ${column} holds ${typeof value}, expected text`);
}

function integer(record: Record<string, unknown>, column: string): number {
  const value = record[column];
  // PostgreSQL BIGINT arrives as a string or bigint.
  const n = typeof value === "number" ? value : typeof value === "bigint" || typeof value === "string" ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new CatalogError(`catalog column ${column} holds ${String(value)}, expected an integer`);
  return n;
}

function json(record: Record<string, unknown>, column: string): unknown {
  const value = record[column];
  return typeof value === "string" ? JSON.parse(value) : value;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function object(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function rowFromRecord(record: Record<string, unknown>): RecordingRow {
  return {
    id: text(record, "id"),
    kind: text(record, "kind") as RecordingKind,
    user: text(record, "user_name"),
    login: text(record, "login"),
    desktopName: text(record, "desktop_name"),
    desktopAddr: text(record, "desktop_addr"),
    cluster: text(record, "cluster"),
    startMs: integer(record, "start_ms"),
    endMs: record.end_ms === null ? null : integer(record, "end_ms"),
    durationMs: integer(record, "duration_ms"),
    status: text(record, "status") as RecordingStatus,
    width: integer(record, "width"),
    height: integer(record, "height"),
    videoState: text(record, "video_state") as VideoState,
    videoDurationMs: integer(record, "video_duration_ms"),
    videoBytes: integer(record, "video_bytes"),
    participants: stringList(json(record, "participants")),
    markerCounts: {
      clipboard: integer(record, "clipboard_count"),
      resize: integer(record, "resize_count"),
      alert: integer(record, "alert_count"),
      file_transfer: integer(record, "file_transfer_count"),
    },
    error: record.error === null ? null : text(record, "error"),
    meta: object(json(record, "meta")),
    ownerNode: record.owner_node === null || record.owner_node === undefined ? null : text(record, "owner_node"),
    legalHold: legalHoldOf(record.legal_hold),
  };
}

/** legal_hold is written only by setLegalHold (not among RECORDING_COLUMNS, so no patch can clear it). */
export function legalHoldColumn(hold: LegalHold | null): string | null {
  return hold === null ? null : JSON.stringify({ by: hold.by, atMs: hold.atMs, reason: hold.reason });
}

function legalHoldOf(value: unknown): LegalHold | null {
  if (value === null || value === undefined) return null;
  const o = object(typeof value === "string" ? JSON.parse(value) : value);
  // A malformed hold still holds: keeping a recording by mistake is the safe side.
  return {
    by: typeof o.by === "string" ? o.by : "",
    atMs: typeof o.atMs === "number" ? o.atMs : 0,
    reason: typeof o.reason === "string" ? o.reason : "",
  };
}
