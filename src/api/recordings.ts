// The recordings API's shapes: the list query, an item, one recording with its markers (how catalog rows become
// them: recordingView.ts). The server validates and documents with these schemas; the CLI and the pages use their types.
import { type Static, t } from "elysia";
import {
  COUNTED_MARKERS,
  MARKER_KINDS,
  MAX_PAGE_LIMIT,
  RECORDING_KINDS,
  RECORDING_SORTS,
  RECORDING_STATUSES,
  type RecordingFilter,
  SORT_ORDERS,
} from "../catalog/types.ts";
import { literals, oneOf, timeParam, timeValue, wholeNumber } from "./common.ts";
import { LegalHoldView } from "./recordingAdmin.ts";
import { checkParams, SchemaError } from "./validation.ts";

export const RecordingKind = oneOf("kind", RECORDING_KINDS, "desktop (TDP, plays as video) or ssh (plays as text)");
export const RecordingStatus = oneOf("status", RECORDING_STATUSES);
export const CountedMarker = oneOf("has_marker", COUNTED_MARKERS);

/** GET /v1/recordings query. Empty values count as absent (a search form sends them). */
export const RecordingListQuery = t.Object({
  kind: t.Optional(RecordingKind),
  user: t.Optional(t.String({ maxLength: 256, description: "sessions of this user" })),
  desktop: t.Optional(t.String({ maxLength: 256, description: "sessions on this desktop or host (its name or address, exactly)" })),
  q: t.Optional(t.String({ maxLength: 256, description: "free text: a case-insensitive part of user, login, desktop name/address or session id" })),
  from: t.Optional(timeParam("from", "sessions that overlap [from, to]; from = to = t: active at t")),
  to: t.Optional(timeParam("to", "see from")),
  status: t.Optional(RecordingStatus),
  has_marker: t.Optional(CountedMarker),
  participant: t.Optional(t.String({ maxLength: 256, description: "sessions this user took part in (a user always sees only their own)" })),
  held: t.Optional(oneOf("held", ["true", "false"], "true: only recordings on legal hold; false: only those not held")),
  sort: t.Optional(oneOf("sort", RECORDING_SORTS, "default start; duration is 0 for a live session until it ends; text sorts bytewise; ties by id")),
  order: t.Optional(oneOf("order", SORT_ORDERS, "default desc")),
  limit: t.Optional(wholeNumber("limit", 1, MAX_PAGE_LIMIT, "items per page, default 50")),
  cursor: t.Optional(t.String({ maxLength: 1024, description: "the `next` of the previous page; only continues the sort and order it came from" })),
});
export type RecordingListQuery = Static<typeof RecordingListQuery>;

const ApiVideoState = literals(["encoding", "ready", "failed", "none"], { description: "none: an SSH recording (plays as text)" });

const MarkerCounts = t.Object(Object.fromEntries(COUNTED_MARKERS.map((k) => [k, t.Integer({ minimum: 0 })])) as Record<(typeof COUNTED_MARKERS)[number], ReturnType<typeof t.Integer>>);

const itemFields = {
  id: t.String({ description: "the session id" }),
  kind: literals(RECORDING_KINDS),
  user: t.String(),
  login: t.String({ description: "the OS / Windows login used on the target" }),
  desktop_name: t.String({ description: "the desktop's name, or the SSH host" }),
  desktop_addr: t.String(),
  cluster: t.String(),
  start: t.String({ format: "date-time" }),
  end: t.Union([t.String({ format: "date-time" }), t.Null()], { description: "null while live" }),
  duration_ms: t.Integer({ minimum: 0 }),
  status: literals(RECORDING_STATUSES),
  width: t.Integer({ minimum: 0 }),
  height: t.Integer({ minimum: 0 }),
  video: t.Object({ state: ApiVideoState, duration_ms: t.Integer({ minimum: 0 }), bytes: t.Integer({ minimum: 0 }) }),
  participants: t.Array(t.String(), { description: "users who took part, the owner first" }),
  error: t.Union([t.String(), t.Null()], { description: "why a recording failed or was interrupted" }),
  lost_events: t.Integer({ minimum: 0, description: "events lost to storage trouble while recording (dropped, refused or never stored)" }),
  gaps: t.Boolean({ description: "the recording has gaps: some of the session is not in it" }),
  legal_hold: t.Union([LegalHoldView, t.Null()], { description: "null unless the recording is on legal hold" }),
};

export const RecordingItem = t.Object({ ...itemFields, markers: MarkerCounts });
export type RecordingItem = Static<typeof RecordingItem>;

export const RecordingPage = t.Object({
  items: t.Array(RecordingItem),
  next: t.Union([t.String(), t.Null()], { description: "pass as cursor for the next page; null on the last" }),
});
export type RecordingPage = Static<typeof RecordingPage>;

export const ApiMarker = t.Object({
  t_ms: t.Integer({ minimum: 0, description: "milliseconds from the start of the recording" }),
  kind: literals(MARKER_KINDS),
  detail: t.String(),
});
export type ApiMarker = Static<typeof ApiMarker>;

/** GET /v1/recordings/:id: the item with `markers` as the time-ordered list, and their counts beside it. */
export const RecordingDetail = t.Object({ ...itemFields, markers: t.Array(ApiMarker), marker_counts: MarkerCounts });
export type RecordingDetail = Static<typeof RecordingDetail>;

export const VideoQuery = t.Object({
  download: t.Optional(t.String({ description: "1: answer as an attachment named <desktop>-<start>.mp4" })),
});

export const ImportCreated = t.Object({ id: t.String({ description: "the imported session's id" }) });
export type ImportCreated = Static<typeof ImportCreated>;

/** A time already matched by its schema, as ms; a date that does not exist (2026-02-31) is bad input. */
export function queryTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = timeValue(value);
  if (ms === null) throw new SchemaError(`${name} must be an RFC 3339 time`);
  return ms;
}

/** The validated query as a catalog filter; throws SchemaError for what a schema cannot say (from after to). */
export function recordingFilterOf(query: RecordingListQuery): RecordingFilter {
  const present = <T>(v: T | undefined | "") => (v === "" ? undefined : v);
  const filter: RecordingFilter = {
    kind: present(query.kind),
    user: present(query.user),
    desktop: present(query.desktop),
    q: present(query.q),
    fromMs: queryTime(present(query.from), "from"),
    toMs: queryTime(present(query.to), "to"),
    status: present(query.status),
    participant: present(query.participant),
    hasMarker: present(query.has_marker),
    held: query.held === undefined ? undefined : query.held === "true",
    limit: query.limit,
    sort: present(query.sort),
    order: present(query.order),
    cursor: present(query.cursor),
  };
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs > filter.toMs) {
    throw new SchemaError(`from (${query.from}) is after to (${query.to})`);
  }
  // Drop absent keys so the filter reads cleanly in logs and tests.
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as RecordingFilter;
}

/** Text parameters (CLI flags, a URL query) → a catalog filter, with the server's checks and messages. */
export function parseRecordingQuery(params: URLSearchParams | Record<string, string | undefined>): RecordingFilter {
  return recordingFilterOf(checkParams(RecordingListQuery, params));
}
