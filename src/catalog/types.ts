// What the catalog stores about recordings (how an item looks in the HTTP API: src/api/recordings.ts).
// Times are milliseconds since the Unix epoch inside the server; the API speaks RFC 3339.

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
  /** Set while the recording is on legal hold: it is never deleted, by retention or by hand. */
  legalHold: LegalHold | null;
  /** The cluster node that records the session (DESKREEL_NODE_NAME); null for imports and older rows. */
  ownerNode: string | null;
}

/** Who put a recording on legal hold, when, and why. Changed only through Catalog.setLegalHold. */
export interface LegalHold {
  by: string;
  atMs: number;
  reason: string;
}

/** What Catalog.deleteRecording did: a held or live recording is never deleted. */
export type DeleteOutcome = "deleted" | "missing" | "held" | "live";

/** What a new recording needs; everything else has a default (live, no video, zero counts). */
export type NewRecording = Pick<RecordingRow, "id" | "kind" | "user" | "startMs"> &
  Partial<Omit<RecordingRow, "id" | "kind" | "user" | "startMs" | "markerCounts" | "legalHold">>;

/** Fields that can change after creation; markerCounts only change through addMarker. */
export type RecordingPatch = Partial<Omit<RecordingRow, "id" | "kind" | "user" | "startMs" | "markerCounts" | "legalHold">>;

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
  /** true: only recordings on legal hold; false: only those that are not. */
  held?: boolean;
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

/** Events lost to storage trouble while recording, kept in meta.lostEvents by live sessions (see sessions/recordedSession). */
export function lostEvents(row: RecordingRow): number {
  const value = row.meta.lostEvents;
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 0;
}
