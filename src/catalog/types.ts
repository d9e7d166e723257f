// What the catalog stores about recordings, and how an item looks in the HTTP API.
// Times are milliseconds since the Unix epoch inside the server; the API speaks RFC 3339.
import { withoutServerPaths } from "../safeText.ts";

export const RECORDING_KINDS = ["desktop", "ssh"] as const;
export type RecordingKind = (typeof RECORDING_KINDS)[number];

export const RECORDING_STATUSES = ["live", "complete", "interrupted", "failed"] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

export const VIDEO_STATES = ["none", "encoding", "ready", "failed"] as const;
export type VideoState = (typeof VIDEO_STATES)[number];

export const MARKER_KINDS = ["clipboard", "resize", "alert", "error", "file_transfer"] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

/** Marker kinds counted per recording (an "error" marker counts as an alert). */
export const COUNTED_MARKERS = ["clipboard", "resize", "alert", "file_transfer"] as const;
export type CountedMarker = (typeof COUNTED_MARKERS)[number];

export type MarkerCounts = Record<CountedMarker, number>;

/** What the recordings list can be ordered by; ties are always broken by id in the same direction. */
export const RECORDING_SORTS = ["start", "duration", "user", "desktop"] as const;
export type RecordingSort = (typeof RECORDING_SORTS)[number];
export const SORT_ORDERS = ["asc", "desc"] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export function countedAs(kind: MarkerKind): CountedMarker {
  return kind === "error" ? "alert" : kind;
}

export interface RecordingRow {
  /** The session id (a UUID for Teleport sessions). */
  id: string;
  kind: RecordingKind;
  user: string;
  /** The OS/Windows login used on the target. */
  login: string;
  desktopName: string;
  desktopAddr: string;
  cluster: string;
  startMs: number;
  /** null while the session is live. */
  endMs: number | null;
  durationMs: number;
  status: RecordingStatus;
  width: number;
  height: number;
  videoState: VideoState;
  videoDurationMs: number;
  videoBytes: number;
  /** Users who took part (the owner first); used for "only my sessions" access rules. */
  participants: string[];
  markerCounts: MarkerCounts;
  /** Why a recording failed or was interrupted. */
  error: string | null;
  /** Free-form extra data (e.g. the recorder's version, the protostream's upload id). */
  meta: Record<string, unknown>;
}

/** What a new recording needs; everything else has a default (live, no video, zero counts). */
export type NewRecording = Pick<RecordingRow, "id" | "kind" | "user" | "startMs"> &
  Partial<Omit<RecordingRow, "id" | "kind" | "user" | "startMs" | "markerCounts">>;

/** Fields that can change after creation; markerCounts only change through addMarker. */
export type RecordingPatch = Partial<Omit<RecordingRow, "id" | "kind" | "user" | "startMs" | "markerCounts">>;

export interface RecordingFilter {
  kind?: RecordingKind;
  user?: string;
  /** Matches the desktop's name or its address exactly. */
  desktop?: string;
  /** Free text, case-insensitive substring of user, login, desktop name/address or session id. */
  q?: string;
  /** The session overlaps [from, to]; a live session's end is open. from = to = t: "active at t". */
  fromMs?: number;
  toMs?: number;
  status?: RecordingStatus;
  /** Only sessions this user took part in. */
  participant?: string;
  hasMarker?: CountedMarker;
  /** 1..500, default 50. */
  limit?: number;
  /**
   * Default "start". "duration" uses the stored duration, which stays 0 while a session is live; "user" and
   * "desktop" (its name, or its address when it has none) compare bytewise.
   */
  sort?: RecordingSort;
  /** Default "desc". */
  order?: SortOrder;
  /** The `next` of a previous page, made with the same sort and order. */
  cursor?: string;
}

export interface RecordingPage {
  items: RecordingRow[];
  /** Pass as `cursor` for the next page; null when this was the last. */
  next: string | null;
}

export interface Marker {
  /** Milliseconds from the start of the recording. */
  tMs: number;
  kind: MarkerKind;
  detail: string;
}

/** A main audit log event with Teleport's field names; anything beyond these is kept as is. */
export interface AuditEvent {
  event: string;
  code?: string;
  /** RFC 3339. */
  time: string;
  sid?: string;
  user?: string;
  [field: string]: unknown;
}

export interface AuditFilter {
  /** The event name, e.g. "session.start", "windows.desktop.session.start", "desktop.clipboard.send". */
  type?: string;
  fromMs?: number;
  toMs?: number;
  sid?: string;
  /** 1..1000, default 100. */
  limit?: number;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;
export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

/** The recording as the HTTP API lists it (see the contract's "Recordings"). */
export interface ApiRecordingItem {
  id: string;
  kind: RecordingKind;
  user: string;
  login: string;
  desktop_name: string;
  desktop_addr: string;
  cluster: string;
  start: string;
  end: string | null;
  duration_ms: number;
  status: RecordingStatus;
  width: number;
  height: number;
  video: { state: VideoState; duration_ms: number; bytes: number };
  markers: MarkerCounts;
  participants: string[];
  error: string | null;
  /** Events lost to storage trouble while recording (dropped, refused or never stored). */
  lost_events: number;
  /** The recording has gaps: some of the session is not in it. */
  gaps: boolean;
}

export interface ApiMarker {
  t_ms: number;
  kind: MarkerKind;
  detail: string;
}

/** GET /v1/recordings/:id: the item, with `markers` as the time-ordered list and the counts kept beside it. */
export type ApiRecordingDetail = Omit<ApiRecordingItem, "markers"> & {
  markers: ApiMarker[];
  marker_counts: MarkerCounts;
};

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The contract knows three video states. A desktop recording whose video has not started yet ("none") is
 * reported as "encoding" (it is on its way), unless the recording itself failed; SSH recordings say "none".
 */
function apiVideoState(row: RecordingRow): VideoState {
  if (row.videoState !== "none") return row.videoState;
  if (row.kind === "ssh") return "none"; // terminal sessions play as text, they have no video
  return row.status === "failed" ? "failed" : "encoding";
}

export function toApiItem(row: RecordingRow): ApiRecordingItem {
  return {
    id: row.id,
    kind: row.kind,
    user: row.user,
    login: row.login,
    desktop_name: row.desktopName,
    desktop_addr: row.desktopAddr,
    cluster: row.cluster,
    start: rfc3339(row.startMs),
    end: row.endMs === null ? null : rfc3339(row.endMs),
    duration_ms: row.durationMs,
    status: row.status,
    width: row.width,
    height: row.height,
    video: { state: apiVideoState(row), duration_ms: row.videoDurationMs, bytes: row.videoBytes },
    markers: { ...row.markerCounts },
    participants: [...row.participants],
    // Failure reasons often quote storage errors: no server file paths in API answers.
    error: row.error === null ? null : withoutServerPaths(row.error),
    lost_events: lostEvents(row),
    gaps: lostEvents(row) > 0,
  };
}

/** Kept in meta.lostEvents by live sessions (see sessions/recordedSession). */
export function lostEvents(row: RecordingRow): number {
  const value = row.meta.lostEvents;
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

export function toApiMarker(marker: Marker): ApiMarker {
  return { t_ms: marker.tMs, kind: marker.kind, detail: marker.detail };
}

export function toApiDetail(row: RecordingRow, markers: Marker[]): ApiRecordingDetail {
  const { markers: counts, ...item } = toApiItem(row);
  return { ...item, markers: markers.map(toApiMarker), marker_counts: counts };
}
