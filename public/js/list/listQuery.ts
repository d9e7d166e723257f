// The recordings page's state: what lives in the page URL (so links and back/forward work), how it becomes an API
// query (the server sorts and pages), and the server's order for merging refreshed rows. Pure functions, unit-tested.
import type { RecordingItem } from "../lib/api.ts";

export type RangePreset = "" | "1h" | "24h" | "7d" | "custom" | "at";
export type SortKey = "start" | "duration" | "user" | "desktop";
export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

export interface ListState {
  q: string;
  user: string;
  desktop: string;
  kind: string;
  status: string;
  /** Only sessions with at least one event of this kind (clipboard, resize, alert, file_transfer). */
  has_marker: string;
  /** "true": only recordings on legal hold; "false": only those not held. */
  held: string;
  range: RangePreset;
  /** RFC 3339, for range=custom */
  from: string;
  to: string;
  /** RFC 3339, for range=at: sessions running at that instant */
  at: string;
  sort: SortOrder;
}

export const PAGE_SIZE = 50;
export const DEFAULT_SORT: SortOrder = { key: "start", descending: true };
const RANGES: readonly RangePreset[] = ["", "1h", "24h", "7d", "custom", "at"];
const SORT_KEYS: readonly SortKey[] = ["start", "duration", "user", "desktop"];
const PRESET_MS: Record<"1h" | "24h" | "7d", number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 };
const TEXT_FIELDS = ["q", "user", "desktop", "kind", "status", "has_marker", "held"] as const;

function validIso(value: string | null): string {
  if (!value) return "";
  return Number.isNaN(Date.parse(value)) ? "" : value;
}

/**
 * The page URL's `sort` and `order`. `order` defaults to asc when `sort` is given, as older links (`sort=user`,
 * `sort=-duration` for descending) meant; with neither, newest first.
 */
export function parseSort(value: string | null, order: string | null = null): SortOrder {
  if (!value) return DEFAULT_SORT;
  const minus = value.startsWith("-");
  const key = (minus ? value.slice(1) : value) as SortKey;
  if (!SORT_KEYS.includes(key)) return DEFAULT_SORT;
  return { key, descending: order === "desc" || (order !== "asc" && minus) };
}

/** The page URL's sort parameters for an order; none for the default. */
export function sortParams(sort: SortOrder): [string, string][] {
  if (sort.key === DEFAULT_SORT.key && sort.descending === DEFAULT_SORT.descending) return [];
  return sort.descending ? [["sort", sort.key], ["order", "desc"]] : [["sort", sort.key]];
}

export function stateFromSearch(search: string): ListState {
  const p = new URLSearchParams(search);
  const range = (p.get("range") ?? "") as RangePreset;
  return {
    q: p.get("q") ?? "",
    user: p.get("user") ?? "",
    desktop: p.get("desktop") ?? "",
    kind: p.get("kind") ?? "",
    status: p.get("status") ?? "",
    has_marker: p.get("has_marker") ?? "",
    held: ["true", "false"].includes(p.get("held") ?? "") ? (p.get("held") ?? "") : "",
    range: RANGES.includes(range) ? range : "",
    from: validIso(p.get("from")),
    to: validIso(p.get("to")),
    at: validIso(p.get("at")),
    sort: parseSort(p.get("sort"), p.get("order")),
  };
}

/** The page URL's query for a state: only what differs from the defaults, in a stable order. */
export function searchFromState(state: ListState): string {
  const p = new URLSearchParams();
  for (const f of TEXT_FIELDS) if (state[f].trim()) p.set(f, state[f].trim());
  if (state.range) p.set("range", state.range);
  if (state.range === "custom") {
    if (state.from) p.set("from", state.from);
    if (state.to) p.set("to", state.to);
  }
  if (state.range === "at" && state.at) p.set("at", state.at);
  for (const [name, value] of sortParams(state.sort)) p.set(name, value);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The /v1/recordings query for a state. Presets are relative to `now`, so a bookmarked "last hour" stays recent. */
export function apiQuery(state: ListState, now: number, cursor: string | null = null, limit = PAGE_SIZE): URLSearchParams {
  const p = new URLSearchParams();
  for (const f of TEXT_FIELDS) if (state[f].trim()) p.set(f, state[f].trim());
  if (state.range === "1h" || state.range === "24h" || state.range === "7d") {
    p.set("from", new Date(now - PRESET_MS[state.range]).toISOString());
  } else if (state.range === "custom") {
    if (state.from) p.set("from", state.from);
    if (state.to) p.set("to", state.to);
  } else if (state.range === "at" && state.at) {
    // A session overlaps [at, at] exactly when it was running at that instant.
    p.set("from", state.at);
    p.set("to", state.at);
  }
  if (sortParams(state.sort).length > 0) {
    // Both, always: the API's order defaults to desc whatever the sort.
    p.set("sort", state.sort.key);
    p.set("order", state.sort.descending ? "desc" : "asc");
  }
  p.set("limit", String(limit));
  if (cursor) p.set("cursor", cursor);
  return p;
}

export function hasFilters(state: ListState): boolean {
  return TEXT_FIELDS.some((f) => state[f].trim() !== "") || state.range !== "";
}

/** Was this session running at `atIso`? (Used to highlight, and to double-check the server's answer.) */
export function wasActiveAt(item: RecordingItem, atIso: string): boolean {
  const at = Date.parse(atIso);
  const start = Date.parse(item.start);
  const end = item.end ? Date.parse(item.end) : Number.POSITIVE_INFINITY;
  return start <= at && at <= end;
}

/** The value the server orders by (see RecordingFilter.sort): text bytewise, a desktop's address when it has no name. */
function sortValue(item: RecordingItem, key: SortKey): string | number {
  switch (key) {
    case "start":
      return Date.parse(item.start);
    case "duration":
      // The server sorts live sessions by their stored duration, 0 until they end.
      return item.status === "live" ? 0 : item.duration_ms;
    case "user":
      return item.user;
    case "desktop":
      return item.desktop_name || item.desktop_addr;
  }
}

/** <0 when a comes first in the server's order for `sort` (ties by id, in the same direction). */
export function compareItems(a: RecordingItem, b: RecordingItem, sort: SortOrder): number {
  const va = sortValue(a, sort.key);
  const vb = sortValue(b, sort.key);
  const c = va < vb ? -1 : va > vb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return sort.descending ? -c : c;
}

/** A copy in the server's order, for merging rows fetched at different times. */
export function sortItems(items: readonly RecordingItem[], sort: SortOrder): RecordingItem[] {
  return [...items].sort((a, b) => compareItems(a, b, sort));
}
