// The recordings page's state: what lives in the page URL (so links and back/forward work), how it becomes an API
// query, and how loaded rows are sorted. Pure functions, unit-tested.
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
const TEXT_FIELDS = ["q", "user", "desktop", "kind", "status", "has_marker"] as const;

function validIso(value: string | null): string {
  if (!value) return "";
  return Number.isNaN(Date.parse(value)) ? "" : value;
}

export function parseSort(value: string | null): SortOrder {
  if (!value) return DEFAULT_SORT;
  const descending = value.startsWith("-");
  const key = (descending ? value.slice(1) : value) as SortKey;
  return SORT_KEYS.includes(key) ? { key, descending } : DEFAULT_SORT;
}

export function formatSort(sort: SortOrder): string {
  return `${sort.descending ? "-" : ""}${sort.key}`;
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
    range: RANGES.includes(range) ? range : "",
    from: validIso(p.get("from")),
    to: validIso(p.get("to")),
    at: validIso(p.get("at")),
    sort: parseSort(p.get("sort")),
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
  const sort = formatSort(state.sort);
  if (sort !== formatSort(DEFAULT_SORT)) p.set("sort", sort);
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

function sortValue(item: RecordingItem, key: SortKey): string | number {
  switch (key) {
    case "start":
      return Date.parse(item.start);
    case "duration":
      return item.duration_ms;
    case "user":
      return item.user.toLowerCase();
    case "desktop":
      return (item.desktop_name || item.desktop_addr).toLowerCase();
  }
}

/** A sorted copy; ties keep the server's order (newest first). */
export function sortItems(items: readonly RecordingItem[], sort: SortOrder): RecordingItem[] {
  const indexed = items.map((item, index) => ({ item, index }));
  indexed.sort((a, b) => {
    const va = sortValue(a.item, sort.key);
    const vb = sortValue(b.item, sort.key);
    const c = va < vb ? -1 : va > vb ? 1 : 0;
    return (sort.descending ? -c : c) || a.index - b.index;
  });
  return indexed.map((x) => x.item);
}
