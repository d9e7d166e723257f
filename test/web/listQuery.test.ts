// The recordings page's URL state and API query.
import { describe, expect, test } from "bun:test";
import {
  apiQuery, compareItems, searchFromState, sortItems, stateFromSearch, wasActiveAt,
} from "../../public/js/list/listQuery.ts";
import type { RecordingItem } from "../../public/js/lib/api.ts";
import { formatClock, formatDuration, fromLocalInputValue, toLocalInputValue } from "../../public/js/lib/format.ts";

function item(id: string, start: string, end: string | null, duration_ms: number, user: string): RecordingItem {
  return {
    id, kind: "desktop", user, login: "administrator", desktop_name: `desk-${id}`, desktop_addr: "10.0.0.1:3389", cluster: "test",
    participants: [user], error: null, start, end, duration_ms, status: end ? "complete" : "live", width: 1280, height: 720,
    video: { state: "ready", duration_ms, bytes: 1 }, markers: { clipboard: 0, resize: 0, alert: 0, file_transfer: 0 },
    lost_events: 0, gaps: false, legal_hold: null,
  };
}

describe("list URL state", () => {
  test("round-trips through the URL, dropping defaults and unknown values", () => {
    const state = stateFromSearch("?q=web&user=alice&kind=desktop&range=custom&from=2026-01-02T03:04:05.000Z&sort=duration&bogus=1");
    expect(state.q).toBe("web");
    expect(state.sort).toEqual({ key: "duration", descending: false });
    expect(searchFromState(state)).toBe("?q=web&user=alice&kind=desktop&range=custom&from=2026-01-02T03%3A04%3A05.000Z&sort=duration");
    expect(searchFromState(stateFromSearch(""))).toBe("");
    expect(stateFromSearch("?range=forever&sort=-nope&from=garbage")).toMatchObject({ range: "", from: "", sort: { key: "start", descending: true } });
  });

  test("presets become a from relative to now; 'active at' becomes from = to", () => {
    const now = Date.parse("2026-05-01T12:00:00Z");
    const lastHour = apiQuery(stateFromSearch("?range=1h&status=live"), now);
    expect(lastHour.get("from")).toBe("2026-05-01T11:00:00.000Z");
    expect(lastHour.get("to")).toBeNull();
    expect(lastHour.get("status")).toBe("live");
    const at = apiQuery(stateFromSearch("?range=at&at=2026-05-01T12:12:12.000Z"), now, "CURSOR", 25);
    expect(at.get("from")).toBe("2026-05-01T12:12:12.000Z");
    expect(at.get("to")).toBe("2026-05-01T12:12:12.000Z");
    expect(at.get("cursor")).toBe("CURSOR");
    expect(at.get("limit")).toBe("25");
    // custom bounds only count when the range says custom
    expect(apiQuery(stateFromSearch("?from=2026-01-01T00:00:00Z"), now).get("from")).toBeNull();
  });

  test("sorting loaded rows, stable for ties", () => {
    const rows = [
      item("a", "2026-01-01T10:00:00Z", "2026-01-01T10:05:00Z", 300_000, "bob"),
      item("b", "2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z", 3_600_000, "alice"),
      item("c", "2026-01-01T11:00:00Z", null, 5_000, "bob"),
    ];
    expect(sortItems(rows, { key: "duration", descending: true }).map((r) => r.id)).toEqual(["b", "a", "c"]);
    expect(sortItems(rows, { key: "user", descending: false }).map((r) => r.id)).toEqual(["b", "a", "c"]);
    expect(sortItems(rows, { key: "start", descending: true }).map((r) => r.id)).toEqual(["c", "a", "b"]);
    expect(wasActiveAt(rows[1], "2026-01-01T09:30:00Z")).toBe(true);
    expect(wasActiveAt(rows[0], "2026-01-01T09:30:00Z")).toBe(false);
    expect(wasActiveAt(rows[2], "2030-01-01T00:00:00Z")).toBe(true);
  });
});

describe("server-side sort in the URL and the API query", () => {
  test("sort and order round-trip; older '-key' links still read as descending", () => {
    const desc = stateFromSearch("?user=bob&sort=duration&order=desc");
    expect(desc.sort).toEqual({ key: "duration", descending: true });
    expect(searchFromState(desc)).toBe("?user=bob&sort=duration&order=desc");
    expect(stateFromSearch("?sort=-user").sort).toEqual({ key: "user", descending: true });
    expect(searchFromState(stateFromSearch("?sort=-user"))).toBe("?sort=user&order=desc");
    expect(stateFromSearch("?sort=-user&order=asc").sort).toEqual({ key: "user", descending: false });
    expect(stateFromSearch("?sort=start").sort).toEqual({ key: "start", descending: false });
    expect(searchFromState(stateFromSearch("?sort=start&order=desc"))).toBe("");
    expect(stateFromSearch("?sort=size&order=desc").sort).toEqual({ key: "start", descending: true });
  });

  test("the API query always names both sort and order, and none for newest first", () => {
    const now = Date.parse("2026-05-01T12:00:00Z");
    const byUser = apiQuery(stateFromSearch("?sort=user"), now, "C1");
    expect([byUser.get("sort"), byUser.get("order"), byUser.get("cursor")]).toEqual(["user", "asc", "C1"]);
    const longest = apiQuery(stateFromSearch("?sort=duration&order=desc"), now);
    expect([longest.get("sort"), longest.get("order")]).toEqual(["duration", "desc"]);
    const plain = apiQuery(stateFromSearch(""), now);
    expect([plain.has("sort"), plain.has("order")]).toEqual([false, false]);
  });

  test("the server's order for merging: bytewise text, ties by id, a live session's duration counts as 0", () => {
    const rows = [
      item("b", "2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z", 3_600_000, "alice"),
      item("a", "2026-01-01T10:00:00Z", "2026-01-01T10:05:00Z", 300_000, "Zed"),
      item("c", "2026-01-01T11:00:00Z", null, 9_000_000, "alice"),
    ];
    expect(sortItems(rows, { key: "user", descending: false }).map((r) => r.id)).toEqual(["a", "b", "c"]);
    expect(sortItems(rows, { key: "user", descending: true }).map((r) => r.id)).toEqual(["c", "b", "a"]);
    expect(sortItems(rows, { key: "duration", descending: true }).map((r) => r.id)).toEqual(["b", "a", "c"]);
    expect(compareItems(rows[0], rows[1], { key: "start", descending: false })).toBeLessThan(0);
  });
});

describe("formatting", () => {
  test("clock, duration and datetime-local round trip", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(65.9)).toBe("1:05");
    expect(formatClock(3723)).toBe("1:02:03");
    expect(formatDuration(45_400)).toBe("45 s");
    expect(formatDuration(3_723_000)).toBe("1 h 2 min");
    const iso = "2026-03-04T05:06:07.000Z";
    expect(fromLocalInputValue(toLocalInputValue(iso))).toBe(iso);
    expect(fromLocalInputValue("")).toBeNull();
  });
});
