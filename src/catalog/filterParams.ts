// The recordings filters as they arrive in a URL query or on the command line (`deskreel ls`), turned
// into a RecordingFilter. Bad values throw CatalogError with a message fit for a 400 response.
import { CatalogError } from "./catalog.ts";
import {
  COUNTED_MARKERS,
  type CountedMarker,
  MAX_PAGE_LIMIT,
  RECORDING_KINDS,
  RECORDING_SORTS,
  RECORDING_STATUSES,
  type RecordingFilter,
  type RecordingKind,
  type RecordingSort,
  type RecordingStatus,
  SORT_ORDERS,
  type SortOrder,
} from "./types.ts";

type ParamSource = URLSearchParams | Record<string, string | undefined>;

function read(source: ParamSource, name: string): string | undefined {
  const value = source instanceof URLSearchParams ? (source.get(name) ?? undefined) : source[name];
  return value === undefined || value === "" ? undefined : value;
}

function pick<T extends string>(allowed: readonly T[], value: string | undefined, name: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CatalogError(`${name} must be one of ${allowed.join("|")}, got ${JSON.stringify(value)}`);
}

/** RFC 3339 (or any date Date.parse reads, e.g. "2026-03-01") → ms; a bare number is taken as ms. */
export function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms)) throw new CatalogError(`${name} must be an RFC 3339 time, got ${JSON.stringify(value)}`);
  return ms;
}

export function parseRecordingFilter(source: ParamSource): RecordingFilter {
  const limitText = read(source, "limit");
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw new CatalogError(`limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}, got ${JSON.stringify(limitText)}`);
    }
  }
  const filter: RecordingFilter = {
    kind: pick<RecordingKind>(RECORDING_KINDS, read(source, "kind"), "kind"),
    user: read(source, "user"),
    desktop: read(source, "desktop"),
    q: read(source, "q"),
    fromMs: parseTime(read(source, "from"), "from"),
    toMs: parseTime(read(source, "to"), "to"),
    status: pick<RecordingStatus>(RECORDING_STATUSES, read(source, "status"), "status"),
    participant: read(source, "participant"),
    hasMarker: pick<CountedMarker>(COUNTED_MARKERS, read(source, "has_marker"), "has_marker"),
    limit,
    sort: pick<RecordingSort>(RECORDING_SORTS, read(source, "sort"), "sort"),
    order: pick<SortOrder>(SORT_ORDERS, read(source, "order"), "order"),
    cursor: read(source, "cursor"),
  };
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs > filter.toMs) {
    throw new CatalogError(`from (${read(source, "from")}) is after to (${read(source, "to")})`);
  }
  // Drop absent keys so the filter reads cleanly in logs and tests.
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as RecordingFilter;
}
