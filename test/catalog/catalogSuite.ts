// Behaviour every Catalog implementation must have; run against SQLite and PostgreSQL.
import { describe, expect, test } from "bun:test";
import type { Catalog } from "../../src/catalog/catalog.ts";
import {
  type NewRecording,
  RECORDING_SORTS,
  type RecordingFilter,
  type RecordingRow,
  type RecordingSort,
  SORT_ORDERS,
} from "../../src/catalog/types.ts";
import { toApiDetail, toApiItem } from "../../src/api/recordingView.ts";

const T = (iso: string): number => Date.parse(iso);

async function ids(catalog: Catalog, filter: RecordingFilter): Promise<string[]> {
  return (await catalog.listRecordings({ limit: 500, ...filter })).items.map((r) => r.id);
}

/** A small, varied catalog: what each filter must pick out of it is obvious by reading. */
const FIXTURE: NewRecording[] = [
  { id: "a1", kind: "desktop", user: "alice", login: "Administrator", desktopName: "win-dc01", desktopAddr: "10.0.0.5:3389", startMs: T("2026-03-01T10:00:00Z"), endMs: T("2026-03-01T10:30:00Z"), durationMs: 1_800_000, status: "complete", participants: ["carol"] },
  { id: "b2", kind: "desktop", user: "bob", login: "bob", desktopName: "win-build", desktopAddr: "10.0.0.9:3389", startMs: T("2026-03-01T12:00:00Z"), endMs: T("2026-03-01T12:20:00Z"), durationMs: 1_200_000, status: "complete" },
  { id: "c3", kind: "desktop", user: "alice", login: "alice_adm", desktopName: "win-build", desktopAddr: "10.0.0.9:3389", startMs: T("2026-03-01T11:00:00Z"), status: "live" },
  { id: "d4", kind: "ssh", user: "dave", login: "root", desktopName: "", desktopAddr: "db-1.internal:22", startMs: T("2026-03-01T12:12:12Z"), endMs: T("2026-03-01T12:12:12.500Z"), durationMs: 500, status: "failed", error: "handshake failed" },
  { id: "e5", kind: "ssh", user: "Erin_100%", login: "erin", desktopName: "", desktopAddr: "web-2:22", startMs: T("2026-03-02T09:00:00Z"), endMs: T("2026-03-02T09:05:00Z"), durationMs: 300_000, status: "interrupted" },
];

/** The key each sort orders by, as a reader of the page sees it. */
function keyOf(row: RecordingRow, sort: RecordingSort): number | string {
  if (sort === "start") return row.startMs;
  if (sort === "duration") return row.durationMs;
  if (sort === "user") return row.user;
  return row.desktopName || row.desktopAddr;
}

/** -1, 0 or 1 comparing (key, id) ascending; text bytewise (the fixtures are ASCII). */
function compareRows(a: RecordingRow, b: RecordingRow, sort: RecordingSort): number {
  const ka = keyOf(a, sort);
  const kb = keyOf(b, sort);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** 137 rows with many ties in every key, mixed case (bytewise: "Zed" < "alice"), SSH hosts without a name. */
function sortFixture(base: number): NewRecording[] {
  const users = ["alice", "Zed", "bob", "carol_2", "bob"];
  const rows: NewRecording[] = [];
  for (let i = 0; i < 137; i++) {
    const ssh = i % 4 === 0;
    rows.push({
      id: `s${String((i * 37) % 137).padStart(4, "0")}`,
      kind: ssh ? "ssh" : "desktop",
      user: users[i % users.length],
      desktopName: ssh ? "" : `desk-${i % 6}`,
      desktopAddr: ssh ? `desk-${i % 9}.ssh:22` : `10.0.0.${i % 6}:3389`,
      startMs: base + Math.floor(i / 3) * 60_000,
      endMs: base + Math.floor(i / 3) * 60_000 + 1000 * (1 + (i % 11)),
      durationMs: 1000 * (1 + (i % 11)),
      status: "complete",
    });
  }
  return rows;
}

/**
 * A new row that sorts before (first) or after (last) every row so far for this sort, ascending: `n` grows with
 * each call, so each new extreme is beyond the previous ones too.
 */
function extremeRow(sort: RecordingSort, last: boolean, n: number, base: number): NewRecording {
  const row: NewRecording = { id: `x${String(n).padStart(4, "0")}`, kind: "desktop", user: "mid", desktopName: "mid", startMs: base + 30 * 60_000, durationMs: 5500, status: "complete" };
  if (sort === "start") row.startMs = last ? base + 1e9 + n : base - 1e6 - n;
  if (sort === "duration") row.durationMs = last ? 1e9 + n : 999 - n; // the fixture's shortest is 1000
  if (sort === "user") row.user = last ? `~~${String(n).padStart(4, "0")}` : `!${String(9999 - n).padStart(4, "0")}`;
  if (sort === "desktop") row.desktopName = last ? `~~${String(n).padStart(4, "0")}` : `!${String(9999 - n).padStart(4, "0")}`;
  row.endMs = row.startMs + (row.durationMs ?? 0);
  return row;
}

export function catalogContract(label: string, open: () => Promise<Catalog>): void {
  describe(`${label}: catalog contract`, () => {
    test("create, get, partial update, participants and the API item", async () => {
      const catalog = await open();
      const created = await catalog.createRecording({ id: "s-1", kind: "desktop", user: "alice", startMs: 1_700_000_000_000, desktopName: "win-1", participants: ["bob", "alice"], meta: { recorder: "1.0" } });
      expect(created.status).toBe("live");
      expect(created.endMs).toBeNull();
      expect(created.participants).toEqual(["alice", "bob"]);
      expect(await catalog.getRecording("s-1")).toEqual(created);
      expect(await catalog.getRecording("nope")).toBeNull();
      await expect(catalog.createRecording({ id: "s-1", kind: "ssh", user: "x", startMs: 1 })).rejects.toThrow(/s-1 already exists/);

      const updated = await catalog.updateRecording("s-1", { width: 1280, height: 720, videoState: "encoding", durationMs: 5000 });
      expect(updated?.width).toBe(1280);
      expect(updated?.desktopName).toBe("win-1"); // untouched fields stay
      expect(updated?.meta).toEqual({ recorder: "1.0" });
      const done = await catalog.updateRecording("s-1", { status: "complete", videoState: "ready", videoDurationMs: 5000, videoBytes: 123_456 });
      // A finished recording without an explicit end ends at start + duration.
      expect(done?.endMs).toBe(1_700_000_005_000);
      expect(await catalog.getRecording("s-1")).toEqual(done);
      expect(await catalog.updateRecording("nope", { width: 1 })).toBeNull();
      await expect(catalog.updateRecording("s-1", { status: "bogus" as "live" })).rejects.toThrow(/s-1: status/);
      await catalog.addParticipant("s-1", "carol");
      await catalog.addParticipant("s-1", "carol");
      expect((await catalog.getRecording("s-1"))?.participants).toEqual(["alice", "bob", "carol"]);
      expect(await ids(catalog, { participant: "carol" })).toEqual(["s-1"]);

      const row = (await catalog.getRecording("s-1")) as RecordingRow;
      expect(toApiItem(row)).toEqual({
        id: "s-1", kind: "desktop", user: "alice", login: "", desktop_name: "win-1", desktop_addr: "", cluster: "",
        start: "2023-11-14T22:13:20.000Z", end: "2023-11-14T22:13:25.000Z", duration_ms: 5000, status: "complete",
        width: 1280, height: 720, video: { state: "ready", duration_ms: 5000, bytes: 123_456 },
        markers: { clipboard: 0, resize: 0, alert: 0, file_transfer: 0 }, participants: ["alice", "bob", "carol"], error: null, legal_hold: null,
        lost_events: 0, gaps: false,
      });
      await catalog.close();
    });

    test("each filter picks the right recordings", async () => {
      const catalog = await open();
      await catalog.createRecordings(FIXTURE);
      await catalog.addMarker("b2", { tMs: 1000, kind: "clipboard", detail: "paste 12 bytes" });
      await catalog.addMarker("c3", { tMs: 5, kind: "error", detail: "png decode failed" });
      await catalog.addMarker("e5", { tMs: 9, kind: "file_transfer", detail: "report.pdf" });

      expect(await ids(catalog, {})).toEqual(["e5", "d4", "b2", "c3", "a1"]);
      expect(await ids(catalog, { kind: "ssh" })).toEqual(["e5", "d4"]);
      expect(await ids(catalog, { kind: "desktop" })).toEqual(["b2", "c3", "a1"]);
      expect(await ids(catalog, { user: "alice" })).toEqual(["c3", "a1"]);
      expect(await ids(catalog, { desktop: "win-build" })).toEqual(["b2", "c3"]);
      expect(await ids(catalog, { desktop: "db-1.internal:22" })).toEqual(["d4"]);
      expect(await ids(catalog, { status: "live" })).toEqual(["c3"]);
      expect(await ids(catalog, { status: "failed" })).toEqual(["d4"]);
      expect(await ids(catalog, { participant: "carol" })).toEqual(["a1"]);
      expect(await ids(catalog, { participant: "alice" })).toEqual(["c3", "a1"]);
      expect(await ids(catalog, { hasMarker: "clipboard" })).toEqual(["b2"]);
      expect(await ids(catalog, { hasMarker: "alert" })).toEqual(["c3"]);
      expect(await ids(catalog, { hasMarker: "file_transfer" })).toEqual(["e5"]);
      expect(await ids(catalog, { hasMarker: "resize" })).toEqual([]);
      expect(await ids(catalog, { kind: "desktop", user: "alice", status: "complete" })).toEqual(["a1"]);

      // Free text: case-insensitive substrings of user, login, desktop name/address and id.
      expect(await ids(catalog, { q: "WIN-" })).toEqual(["b2", "c3", "a1"]);
      expect(await ids(catalog, { q: "adm" })).toEqual(["c3", "a1"]); // alice_adm, Administrator
      expect(await ids(catalog, { q: "internal" })).toEqual(["d4"]);
      expect(await ids(catalog, { q: "0.0.9:33" })).toEqual(["b2", "c3"]);
      expect(await ids(catalog, { q: "c3" })).toEqual(["c3"]); // short: the id
      expect(await ids(catalog, { q: "b" })).toEqual(["e5", "d4", "b2", "c3"]); // web-2, db-1, bob, win-build
      expect(await ids(catalog, { q: "100%" })).toEqual(["e5"]);
      expect(await ids(catalog, { q: "a_" })).toEqual([]); // LIKE wildcards are literal
      expect(await ids(catalog, { q: "n_" })).toEqual(["e5"]);
      expect(await ids(catalog, { q: "%" })).toEqual(["e5"]);
      expect(await ids(catalog, { q: "  ALICE " })).toEqual(["c3", "a1"]);
      expect(await ids(catalog, { q: "nobody-here" })).toEqual([]);
      expect(await ids(catalog, { q: 'say "hi"' })).toEqual([]);
      await catalog.close();
    });

    test("from/to select sessions overlapping the range; a live session has no end yet", async () => {
      const catalog = await open();
      await catalog.createRecordings(FIXTURE);
      const at = T("2026-03-01T12:12:12Z");
      // "Sessions active at 12:12:12": bob's, the live one, and dave's half-second one.
      expect(await ids(catalog, { fromMs: at, toMs: at })).toEqual(["d4", "b2", "c3"]);
      expect(await ids(catalog, { fromMs: T("2026-03-01T10:15:00Z"), toMs: T("2026-03-01T10:20:00Z") })).toEqual(["a1"]);
      // Boundaries touch: a session ending exactly at `from` overlaps.
      expect(await ids(catalog, { fromMs: T("2026-03-01T10:30:00Z"), toMs: T("2026-03-01T10:45:00Z") })).toEqual(["a1"]);
      expect(await ids(catalog, { fromMs: T("2026-03-05T00:00:00Z") })).toEqual(["c3"]);
      expect(await ids(catalog, { toMs: T("2026-03-01T11:00:00Z") })).toEqual(["c3", "a1"]);
      expect(await ids(catalog, { fromMs: T("2026-03-01T13:00:00Z"), toMs: T("2026-03-01T23:00:00Z") })).toEqual(["c3"]);
      expect(await ids(catalog, { fromMs: T("2026-02-01T00:00:00Z"), toMs: T("2026-02-02T00:00:00Z") })).toEqual([]);
      await expect(catalog.listRecordings({ fromMs: 10, toMs: 5 })).rejects.toThrow(/after/);
      await catalog.close();
    });

    test("cursor pages return every row exactly once, newest first, even with inserts between pages", async () => {
      const catalog = await open();
      const base = T("2026-01-01T00:00:00Z");
      const initial: NewRecording[] = [];
      // 137 rows; every third shares its start with its neighbour, so the id breaks ties.
      for (let i = 0; i < 137; i++) initial.push({ id: `r${String(i).padStart(4, "0")}`, kind: i % 2 ? "ssh" : "desktop", user: `u${i % 7}`, startMs: base + Math.floor(i / 3) * 1000 * 60, status: "complete", durationMs: 1000 });
      await catalog.createRecordings(initial);
      const seen: RecordingRow[] = [];
      let cursor: string | undefined;
      let pages = 0;
      let extra = 0;
      do {
        const page = await catalog.listRecordings({ limit: 10, cursor });
        seen.push(...page.items);
        pages++;
        // New sessions arrive (newer than everything) and an import lands in the past.
        await catalog.createRecording({ id: `new${extra}`, kind: "desktop", user: "late", startMs: base + 10_000_000_000 + extra, status: "live" });
        await catalog.createRecording({ id: `old${extra}`, kind: "desktop", user: "imported", startMs: base - 1000 - extra, status: "complete" });
        extra++;
        cursor = page.next ?? undefined;
      } while (cursor !== undefined && pages < 100);
      const initialIds = initial.map((r) => r.id);
      const seenInitial = seen.filter((r) => initialIds.includes(r.id)).map((r) => r.id);
      expect(seenInitial.length).toBe(137);
      expect(new Set(seenInitial).size).toBe(137);
      expect(seen.some((r) => r.id.startsWith("new"))).toBe(false); // newer than the first page: not in this walk
      expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
      for (let i = 1; i < seen.length; i++) {
        const a = seen[i - 1];
        const b = seen[i];
        expect(a.startMs > b.startMs || (a.startMs === b.startMs && a.id > b.id)).toBe(true);
      }
      expect(pages).toBeGreaterThanOrEqual(14);
      const last = await catalog.listRecordings({ limit: 500, user: "u3" });
      expect(last.next).toBeNull();
      expect(last.items.length).toBe(initial.filter((r) => r.user === "u3").length);
      await expect(catalog.listRecordings({ cursor: "not-a-cursor" })).rejects.toThrow(/invalid cursor/);
      expect((await catalog.listRecordings({ limit: 10_000 })).items.length).toBeLessThanOrEqual(500);
      await catalog.close();
    });

    test("every sort and order pages through every row exactly once, in order, with inserts between pages", async () => {
      const catalog = await open();
      const base = T("2026-02-01T00:00:00Z");
      const initial = sortFixture(base);
      await catalog.createRecordings(initial);
      const initialIds = new Set(initial.map((r) => r.id));
      let inserted = 0;
      for (const sort of RECORDING_SORTS) {
        for (const order of SORT_ORDERS) {
          const seen: RecordingRow[] = [];
          const behind: string[] = [];
          const ahead: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await catalog.listRecordings({ sort, order, limit: 10, cursor });
            seen.push(...page.items);
            pages++;
            cursor = page.next ?? undefined;
            if (cursor === undefined) break;
            // One row lands before the cursor (must not show up), one after everything (must show up).
            const before = extremeRow(sort, order === "desc", ++inserted, base);
            const after = extremeRow(sort, order === "asc", ++inserted, base);
            await catalog.createRecordings([before, after]);
            behind.push(before.id);
            ahead.push(after.id);
          } while (cursor !== undefined && pages < 100);
          const label = `sort=${sort} order=${order}`;
          const seenIds = seen.map((r) => r.id);
          expect({ label, count: seenIds.filter((id) => initialIds.has(id)).length }).toEqual({ label, count: initial.length });
          expect({ label, unique: new Set(seenIds).size }).toEqual({ label, unique: seenIds.length });
          expect({ label, late: seenIds.filter((id) => behind.includes(id)) }).toEqual({ label, late: [] });
          expect({ label, missing: ahead.filter((id) => !seenIds.includes(id)) }).toEqual({ label, missing: [] });
          const sign = order === "asc" ? 1 : -1;
          const wrong = seen.slice(1).filter((row, i) => compareRows(seen[i], row, sort) * sign >= 0).map((r) => r.id);
          expect({ label, outOfOrder: wrong }).toEqual({ label, outOfOrder: [] });
          expect(pages).toBeGreaterThanOrEqual(14);
        }
      }
      // Spot checks anyone can read off the fixture: bytewise text, the desktop's address standing in for a name.
      const byUser = await catalog.listRecordings({ sort: "user", order: "asc", limit: 1, user: "Zed" });
      expect(byUser.items[0].user).toBe("Zed");
      const firstUsers = (await catalog.listRecordings({ sort: "user", order: "asc", limit: 500 })).items.map((r) => r.user);
      expect(firstUsers.indexOf("Zed")).toBeLessThan(firstUsers.indexOf("alice"));
      const desktops = (await catalog.listRecordings({ sort: "desktop", order: "asc", kind: "ssh", limit: 3 })).items;
      expect(desktops.map((r) => r.desktopAddr)).toEqual(["desk-0.ssh:22", "desk-0.ssh:22", "desk-0.ssh:22"]);
      await catalog.close();
    });

    test("a cursor only continues the sort and order it was made for; live sessions sort by their stored duration", async () => {
      const catalog = await open();
      await catalog.createRecordings(FIXTURE);
      const first = await catalog.listRecordings({ sort: "duration", order: "asc", limit: 2 });
      // c3 is live: its stored duration is 0 until it ends.
      expect(first.items.map((r) => r.id)).toEqual(["c3", "d4"]);
      expect(first.next).not.toBeNull();
      const next = first.next ?? "";
      expect((await catalog.listRecordings({ sort: "duration", order: "asc", limit: 2, cursor: next })).items.map((r) => r.id)).toEqual(["e5", "b2"]);
      await expect(catalog.listRecordings({ sort: "duration", order: "desc", cursor: next })).rejects.toThrow(/cursor was made for sort=duration order=asc, not sort=duration order=desc/);
      await expect(catalog.listRecordings({ cursor: next })).rejects.toThrow(/cursor was made for sort=duration order=asc, not sort=start order=desc/);
      await expect(catalog.listRecordings({ sort: "user", order: "asc", cursor: next })).rejects.toThrow(/not sort=user order=asc/);
      await expect(catalog.listRecordings({ sort: "bogus" as "user" })).rejects.toThrow(/sort must be one of start\|duration\|user\|desktop/);
      await expect(catalog.listRecordings({ order: "up" as "asc" })).rejects.toThrow(/order must be one of asc\|desc/);
      // A cursor from before sorting existed ([start, id], newest first) still continues the default order.
      const legacy = Buffer.from(JSON.stringify([T("2026-03-01T12:12:12Z"), "d4"])).toString("base64url");
      expect(await ids(catalog, { cursor: legacy })).toEqual(["b2", "c3", "a1"]);
      // A forged cursor whose value does not fit the sort is refused, not passed to SQL.
      const forged = Buffer.from(JSON.stringify(["duration", "asc", "x", "d4"])).toString("base64url");
      await expect(catalog.listRecordings({ sort: "duration", order: "asc", cursor: forged })).rejects.toThrow(/invalid cursor/);
      await catalog.close();
    });

    test("markers come back in time order and are counted per kind", async () => {
      const catalog = await open();
      await catalog.createRecording({ id: "m-1", kind: "desktop", user: "alice", startMs: 1000 });
      await catalog.addMarker("m-1", { tMs: 5000, kind: "resize", detail: "1920x1080" });
      await catalog.addMarker("m-1", { tMs: 1200, kind: "clipboard", detail: "copy 3 bytes" });
      await catalog.addMarker("m-1", { tMs: 5000, kind: "alert", detail: "second at 5000" });
      await catalog.addMarker("m-1", { tMs: 300, kind: "error", detail: "bad png" });
      await catalog.addMarker("m-1", { tMs: 9000, kind: "file_transfer", detail: "a.txt" });
      const markers = await catalog.listMarkers("m-1");
      expect(markers.map((m) => m.tMs)).toEqual([300, 1200, 5000, 5000, 9000]);
      expect(markers[2]).toEqual({ tMs: 5000, kind: "resize", detail: "1920x1080" });
      expect(markers[3].detail).toBe("second at 5000");
      const row = await catalog.getRecording("m-1");
      expect(row?.markerCounts).toEqual({ clipboard: 1, resize: 1, alert: 2, file_transfer: 1 });
      if (row) {
        const detail = toApiDetail(row, markers);
        expect(detail.markers[0]).toEqual({ t_ms: 300, kind: "error", detail: "bad png" });
        expect(detail.marker_counts.alert).toBe(2);
      }
      await expect(catalog.addMarker("nope", { tMs: 1, kind: "clipboard", detail: "" })).rejects.toThrow(/recording nope does not exist/);
      await expect(catalog.addMarker("m-1", { tMs: 1, kind: "bogus" as "clipboard", detail: "" })).rejects.toThrow(/marker kind/);
      expect(await catalog.listMarkers("nope")).toEqual([]);
      await catalog.close();
    });

    test("audit log: by type, time range, sid and limit, newest first", async () => {
      const catalog = await open();
      const events = [
        { event: "windows.desktop.session.start", code: "TDP00I", time: "2026-03-01T10:00:00Z", sid: "s1", user: "alice", desktop_addr: "10.0.0.5:3389" },
        { event: "desktop.clipboard.send", code: "TDP02I", time: "2026-03-01T10:05:00Z", sid: "s1", user: "alice", length: 12 },
        { event: "desktop.clipboard.receive", code: "TDP03I", time: "2026-03-01T10:06:00Z", sid: "s1", user: "alice", length: 4 },
        { event: "windows.desktop.session.start", code: "TDP00I", time: "2026-03-01T11:00:00Z", sid: "s2", user: "bob" },
        { event: "windows.desktop.session.end", code: "TDP01I", time: "2026-03-01T11:30:00Z", sid: "s1", user: "alice" },
        { event: "user.login", code: "T1000I", time: "2026-03-01T09:00:00Z", user: "alice" },
      ];
      for (const event of events) await catalog.appendAuditEvent(event);
      const all = await catalog.listAuditEvents({});
      expect(all.map((e) => e.time)).toEqual([...events].map((e) => e.time).sort().reverse());
      expect(all[0]).toEqual(events[4]); // stored as given, extra fields included
      expect((await catalog.listAuditEvents({ type: "windows.desktop.session.start" })).map((e) => e.sid)).toEqual(["s2", "s1"]);
      expect((await catalog.listAuditEvents({ sid: "s1" })).map((e) => e.event)).toEqual([
        "windows.desktop.session.end", "desktop.clipboard.receive", "desktop.clipboard.send", "windows.desktop.session.start",
      ]);
      const window = await catalog.listAuditEvents({ fromMs: T("2026-03-01T10:05:00Z"), toMs: T("2026-03-01T11:00:00Z") });
      expect(window.map((e) => e.code)).toEqual(["TDP00I", "TDP03I", "TDP02I"]);
      expect((await catalog.listAuditEvents({ limit: 2 })).length).toBe(2);
      expect((await catalog.listAuditEvents({ type: "desktop.clipboard.send", sid: "s2" })).length).toBe(0);
      await expect(catalog.appendAuditEvent({ event: "x", time: "yesterday" })).rejects.toThrow(/RFC 3339/);
      await catalog.close();
    });

    test("crash recovery: recordings left live become interrupted", async () => {
      const catalog = await open();
      await catalog.createRecordings(FIXTURE);
      await catalog.createRecording({ id: "live-2", kind: "ssh", user: "x", startMs: T("2026-03-03T00:00:00Z") });
      await catalog.updateRecording("c3", { durationMs: 42_000 });
      expect((await catalog.listLiveRecordings()).map((r) => r.id)).toEqual(["live-2", "c3"]);
      const interrupted = await catalog.interruptLiveRecordings("server restarted");
      expect(interrupted.sort()).toEqual(["c3", "live-2"]);
      expect(await catalog.listLiveRecordings()).toEqual([]);
      const c3 = await catalog.getRecording("c3");
      expect(c3?.status).toBe("interrupted");
      expect(c3?.endMs).toBe(T("2026-03-01T11:00:42Z"));
      expect(c3?.error).toBe("server restarted");
      expect((await catalog.getRecording("b2"))?.status).toBe("complete");
      expect((await catalog.getRecording("d4"))?.error).toBe("handshake failed");
      expect(await catalog.interruptLiveRecordings("again")).toEqual([]);
      await catalog.close();
    });

    test("retention: finished recordings ended before a time, and delete", async () => {
      const catalog = await open();
      await catalog.createRecordings(FIXTURE);
      await catalog.addMarker("a1", { tMs: 1, kind: "clipboard", detail: "x" });
      const old = await catalog.listEndedBefore(T("2026-03-01T12:15:00Z"), 10);
      expect(old.map((r) => r.id)).toEqual(["a1", "d4"]);
      expect(await catalog.deleteRecording("a1")).toBe("deleted");
      expect(await catalog.deleteRecording("a1")).toBe("missing");
      expect(await catalog.getRecording("a1")).toBeNull();
      expect(await catalog.listMarkers("a1")).toEqual([]);
      expect(await ids(catalog, { participant: "carol" })).toEqual([]);
      expect(await ids(catalog, { q: "administrator" })).toEqual([]);
      await catalog.close();
    });

    test("legal hold: kept out of retention, never deleted, listed with held=true, survives updates", async () => {
      const catalog = await open();
      await catalog.createRecordings(FIXTURE);
      expect((await catalog.getRecording("d4"))?.legalHold).toBeNull();
      const hold = { by: "alice", atMs: T("2026-03-05T10:00:00Z"), reason: "case 4711" };
      expect((await catalog.setLegalHold("d4", hold))?.legalHold).toEqual(hold);
      expect(await catalog.setLegalHold("nope", hold)).toBeNull();
      // A patch of other fields (the video finishing, say) keeps the hold.
      await catalog.updateRecording("d4", { videoBytes: 99, meta: { x: 1 } });
      expect((await catalog.getRecording("d4"))?.legalHold).toEqual(hold);
      expect((await catalog.listEndedBefore(T("2026-03-01T12:15:00Z"), 10)).map((r) => r.id)).toEqual(["a1"]);
      expect(await catalog.deleteRecording("d4")).toBe("held");
      expect(await catalog.getRecording("d4")).not.toBeNull();
      expect(await ids(catalog, { held: true })).toEqual(["d4"]);
      expect(await ids(catalog, { held: false })).not.toContain("d4");
      // A live recording is never deleted either.
      expect(await catalog.deleteRecording("c3")).toBe("live");
      expect((await catalog.setLegalHold("d4", null))?.legalHold).toBeNull();
      expect((await catalog.listEndedBefore(T("2026-03-01T12:15:00Z"), 10)).map((r) => r.id)).toEqual(["a1", "d4"]);
      expect(await catalog.deleteRecording("d4")).toBe("deleted");
      await catalog.close();
    });

    test("a live session's owner node: stored, updatable, and live sessions listed per owner", async () => {
      const catalog = await open();
      await catalog.createRecordings([
        { id: "n1", kind: "desktop", user: "alice", startMs: 1000, ownerNode: "node-a" },
        { id: "n2", kind: "ssh", user: "bob", startMs: 2000, ownerNode: "node-b" },
        { id: "n3", kind: "desktop", user: "carol", startMs: 3000, ownerNode: "node-a" },
        { id: "n4", kind: "desktop", user: "dave", startMs: 4000 },
        { id: "n5", kind: "desktop", user: "erin", startMs: 5000, ownerNode: "node-a", status: "complete", durationMs: 10 },
      ]);
      expect((await catalog.getRecording("n1"))?.ownerNode).toBe("node-a");
      expect((await catalog.getRecording("n4"))?.ownerNode).toBeNull();
      expect((await catalog.listLiveRecordings("node-a")).map((r) => r.id)).toEqual(["n3", "n1"]);
      expect((await catalog.listLiveRecordings("node-b")).map((r) => r.id)).toEqual(["n2"]);
      expect((await catalog.listLiveRecordings(null)).map((r) => r.id)).toEqual(["n4"]);
      expect((await catalog.listLiveRecordings()).map((r) => r.id)).toEqual(["n4", "n3", "n2", "n1"]);
      expect((await catalog.updateRecording("n2", { ownerNode: "node-c" }))?.ownerNode).toBe("node-c");
      expect((await catalog.listLiveRecordings("node-b")).map((r) => r.id)).toEqual([]);
      expect((await catalog.listRecordings({ limit: 10 })).items.find((r) => r.id === "n2")?.ownerNode).toBe("node-c");
      await catalog.close();
    });
  });
}
