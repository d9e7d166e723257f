// The recordings list as SQL, shared by the SQLite and PostgreSQL catalogs. Only the placeholder style
// and the free-text match differ between them.
import { CatalogError } from "./catalog.ts";
import { decodeCursor, encodeCursor, sortValue } from "./cursor.ts";
import { checkCountedMarker, pageLimit } from "./normalize.ts";
import {
  RECORDING_KINDS,
  RECORDING_SORTS,
  RECORDING_STATUSES,
  type RecordingFilter,
  type RecordingPage,
  type RecordingRow,
  type RecordingSort,
  SORT_ORDERS,
  type SortOrder,
} from "./types.ts";

export interface SqlDialect {
  /** The placeholder for the n-th parameter (1-based). */
  placeholder(n: number): string;
  /** The smaller of two SQL expressions (MIN(a, b) in SQLite, LEAST(a, b) in PostgreSQL). */
  least(a: string, b: string): string;
  /** A condition on table alias `r` matching the lower-cased, trimmed free text `q`. */
  textMatch(q: string, bind: (value: string | number) => string): string;
  /** A text expression compared bytewise, as SQLite's default BINARY collation and JavaScript do. */
  bytewise(expr: string): string;
}

/** The desktop a row shows: its name, or its address when it has none (SSH hosts). Indexed as written. */
export const DESKTOP_LABEL = "COALESCE(NULLIF(desktop_name, ''), desktop_addr)";

/** The SQL each sort orders by (on table alias r); the sort indexes in both schemas cover these with id. */
function sortExpression(sort: RecordingSort, dialect: SqlDialect): string {
  switch (sort) {
    case "start":
      return "r.start_ms";
    case "duration":
      return "r.duration_ms";
    case "user":
      return dialect.bytewise("r.user_name");
    case "desktop":
      return dialect.bytewise(DESKTOP_LABEL.replace(/desktop_/g, "r.desktop_"));
  }
}

export interface BuiltQuery {
  sql: string;
  params: (string | number)[];
  /** Rows asked for: the page size plus one to tell whether there is a next page. */
  fetch: number;
  limit: number;
  sort: RecordingSort;
  order: SortOrder;
}

/** Escapes %, _ and \ for LIKE ... ESCAPE '\'. */
export function likePattern(fragment: string): string {
  return `%${fragment.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function buildListQuery(filter: RecordingFilter, dialect: SqlDialect): BuiltQuery {
  const params: (string | number)[] = [];
  const bind = (value: string | number): string => {
    params.push(value);
    return dialect.placeholder(params.length);
  };
  const where: string[] = [];
  const sort = filter.sort ?? "start";
  const order = filter.order ?? "desc";
  if (!(RECORDING_SORTS as readonly string[]).includes(sort)) {
    throw new CatalogError(`sort must be one of ${RECORDING_SORTS.join("|")}, got ${JSON.stringify(sort)}`);
  }
  if (!(SORT_ORDERS as readonly string[]).includes(order)) {
    throw new CatalogError(`order must be one of ${SORT_ORDERS.join("|")}, got ${JSON.stringify(order)}`);
  }

  if (filter.kind !== undefined) {
    if (!(RECORDING_KINDS as readonly string[]).includes(filter.kind)) throw new CatalogError(`kind must be desktop|ssh, got ${JSON.stringify(filter.kind)}`);
    where.push(`r.kind = ${bind(filter.kind)}`);
  }
  if (filter.status !== undefined) {
    if (!(RECORDING_STATUSES as readonly string[]).includes(filter.status)) {
      throw new CatalogError(`status must be one of ${RECORDING_STATUSES.join("|")}, got ${JSON.stringify(filter.status)}`);
    }
    where.push(`r.status = ${bind(filter.status)}`);
  }
  if (filter.user !== undefined) where.push(`r.user_name = ${bind(filter.user)}`);
  if (filter.desktop !== undefined) {
    where.push(`(r.desktop_name = ${bind(filter.desktop)} OR r.desktop_addr = ${bind(filter.desktop)})`);
  }
  if (filter.participant !== undefined) {
    where.push(`r.id IN (SELECT p.recording_id FROM recording_participants p WHERE p.user_name = ${bind(filter.participant)})`);
  }
  if (filter.held !== undefined) where.push(`r.legal_hold IS ${filter.held ? "NOT NULL" : "NULL"}`);
  if (filter.hasMarker !== undefined) {
    checkCountedMarker(filter.hasMarker);
    where.push(`r.${filter.hasMarker}_count > 0`);
  }
  // Overlap of [start, end] with [from, to]; a live session (end null) has not ended yet.
  if (filter.toMs !== undefined) where.push(`r.start_ms <= ${bind(checkTime(filter.toMs, "to"))}`);
  if (filter.fromMs !== undefined) {
    const from = checkTime(filter.fromMs, "from");
    where.push(`(r.end_ms IS NULL OR r.end_ms >= ${bind(from)})`);
    // Redundant but index-friendly: nothing that started before (from − longest finished session) can
    // reach `from`, and no open session started before the oldest open one. Both are one index probe.
    const longest = "(SELECT end_ms - start_ms FROM recordings WHERE end_ms IS NOT NULL ORDER BY end_ms - start_ms DESC LIMIT 1)";
    const oldestOpen = "(SELECT MIN(start_ms) FROM recordings WHERE end_ms IS NULL)";
    where.push(`r.start_ms >= ${dialect.least(`${bind(from)} - COALESCE(${longest}, 0)`, `COALESCE(${oldestOpen}, ${bind(from)})`)}`);
  }
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs > filter.toMs) {
    throw new CatalogError(`from (${filter.fromMs}) is after to (${filter.toMs})`);
  }
  // Control characters cannot be typed into a search box and would let a match span two fields.
  const q = filter.q?.replace(/[\u0000-\u001f]/g, "").trim().toLowerCase();
  if (q) where.push(dialect.textMatch(q, bind));
  const key = sortExpression(sort, dialect);
  const direction = order === "asc" ? "ASC" : "DESC";
  if (filter.cursor !== undefined && filter.cursor !== "") {
    const after = decodeCursor(filter.cursor, sort, order);
    where.push(`(${key}, r.id) ${order === "asc" ? ">" : "<"} (${bind(after.value)}, ${bind(after.id)})`);
  }

  const limit = pageLimit(filter.limit);
  const sql =
    `SELECT r.* FROM recordings r` +
    (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
    ` ORDER BY ${key} ${direction}, r.id ${direction} LIMIT ${bind(limit + 1)}`;
  return { sql, params, fetch: limit + 1, limit, sort, order };
}

/** The page out of the fetched rows: at most `limit` of them, and a cursor after the last when there are more. */
export function pageOf(query: BuiltQuery, rows: RecordingRow[]): RecordingPage {
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  const next =
    rows.length > query.limit && last
      ? encodeCursor({ sort: query.sort, order: query.order, value: sortValue(last, query.sort), id: last.id })
      : null;
  return { items, next };
}

function checkTime(ms: number, what: string): number {
  if (!Number.isSafeInteger(ms)) throw new CatalogError(`${what} must be a time in ms, got ${ms}`);
  return ms;
}
