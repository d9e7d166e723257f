// 100 000 recordings: every filter still returns exactly what a plain scan of the data says, and the
// query times are printed (not asserted: the machine is shared).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildListQuery } from "../../src/catalog/listQuery.ts";
import { SqliteCatalog, sqliteDialect } from "../../src/catalog/sqliteCatalog.ts";
import {
  type CountedMarker,
  type NewRecording,
  RECORDING_SORTS,
  type RecordingFilter,
  type RecordingRow,
  type RecordingSort,
  SORT_ORDERS,
} from "../../src/catalog/types.ts";

const COUNT = 100_000;
const YEAR_START = Date.parse("2025-01-01T00:00:00Z");
const MINUTE = 60_000;

interface Generated extends NewRecording {
  markers: CountedMarker[];
}

/** Deterministic pseudo-random sessions: ~5 min apart on average, 1 min to 3 h long, some live. */
function generate(): Generated[] {
  let seed = 0x9e3779b9;
  const rand = (n: number): number => {
    // xorshift32: deterministic, and exact in 32-bit integer arithmetic
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const rows: Generated[] = [];
  let start = YEAR_START;
  for (let i = 0; i < COUNT; i++) {
    start += rand(10 * MINUTE);
    const user = `u${String(rand(200)).padStart(3, "0")}`;
    const ssh = rand(4) === 0;
    const live = i >= COUNT - 2000 && rand(100) === 0;
    const durationMs = MINUTE + rand(180 * MINUTE);
    const participants = rand(10) === 0 ? [user, `u${String(rand(200)).padStart(3, "0")}`] : [user];
    const markers: CountedMarker[] = rand(50) === 0 ? [(["clipboard", "resize", "alert", "file_transfer"] as const)[rand(4)]] : [];
    rows.push({
      id: `${i.toString(16).padStart(8, "0")}-${rand(65536).toString(16)}`,
      kind: ssh ? "ssh" : "desktop",
      user,
      login: ssh ? "root" : `${user}-adm`,
      desktopName: ssh ? "" : `desk-${String(rand(500)).padStart(4, "0")}`,
      desktopAddr: `10.${rand(4)}.${rand(256)}.${rand(256)}:${ssh ? 22 : 3389}`,
      startMs: start,
      endMs: live ? null : start + durationMs,
      durationMs: live ? 0 : durationMs,
      status: live ? "live" : rand(100) === 0 ? "failed" : "complete",
      participants,
      markers,
    });
  }
  return rows;
}

function overlaps(r: Generated, from?: number, to?: number): boolean {
  if (to !== undefined && r.startMs > to) return false;
  if (from !== undefined && r.endMs !== null && r.endMs !== undefined && r.endMs < from) return false;
  return true;
}

function newestFirst(a: { startMs: number; id: string }, b: { startMs: number; id: string }): number {
  return b.startMs - a.startMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function sortKey(r: Generated, sort: RecordingSort): number | string {
  if (sort === "start") return r.startMs;
  if (sort === "duration") return r.durationMs ?? 0;
  if (sort === "user") return r.user;
  return r.desktopName || (r.desktopAddr ?? "");
}

function ascending(sort: RecordingSort): (a: Generated, b: Generated) => number {
  return (a, b) => {
    const ka = sortKey(a, sort);
    const kb = sortKey(b, sort);
    if (ka !== kb) return ka < kb ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

let dir: string;
let catalog: SqliteCatalog;
let data: Generated[];
const sorted: Generated[] = [];

async function allPages(filter: RecordingFilter): Promise<{ rows: RecordingRow[]; firstPageMs: number }> {
  const rows: RecordingRow[] = [];
  let cursor: string | undefined;
  let firstPageMs = 0;
  do {
    const t0 = performance.now();
    const page = await catalog.listRecordings({ ...filter, limit: 500, cursor });
    if (cursor === undefined) firstPageMs = performance.now() - t0;
    rows.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor !== undefined);
  return { rows, firstPageMs };
}

const timings: string[] = [];

async function check(label: string, filter: RecordingFilter, expected: Generated[]): Promise<void> {
  const { rows, firstPageMs } = await allPages(filter);
  timings.push(`${label.padEnd(44)} ${String(expected.length).padStart(6)} rows, first page ${firstPageMs.toFixed(2)} ms`);
  expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
}

describe("SqliteCatalog with 100 000 recordings", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "deskreel-scale-"));
    catalog = new SqliteCatalog(join(dir, "catalog.sqlite"));
    data = generate();
    const t0 = performance.now();
    await catalog.createRecordings(data);
    timings.push(`insert ${COUNT} rows in one transaction: ${(performance.now() - t0).toFixed(0)} ms`);
    const withMarkers = data.filter((r) => r.markers.length > 0);
    for (const r of withMarkers) for (const kind of r.markers) await catalog.addMarker(r.id, { tMs: 1000, kind, detail: "" });
    timings.push(`then ${withMarkers.length} markers, one transaction each: ${(performance.now() - t0).toFixed(0)} ms in all`);
    sorted.push(...[...data].sort(newestFirst));
  }, 60_000);

  afterAll(async () => {
    await catalog?.close();
    await rm(dir, { recursive: true, force: true });
    console.log(`catalog timings (SQLite, ${COUNT} recordings):\n  ${timings.join("\n  ")}`);
  });

  test("every filter returns exactly the matching rows, newest first", async () => {
    const first = await catalog.listRecordings({});
    expect(first.items.map((r) => r.id)).toEqual(sorted.slice(0, 50).map((r) => r.id));

    const midYear = YEAR_START + 180 * 24 * 60 * MINUTE;
    const activeAt = sorted[sorted.length >> 1].startMs + 30 * MINUTE;
    await check("user=u042", { user: "u042" }, sorted.filter((r) => r.user === "u042"));
    await check("desktop=desk-0042", { desktop: "desk-0042" }, sorted.filter((r) => r.desktopName === "desk-0042"));
    await check("active at one instant (from=to)", { fromMs: activeAt, toMs: activeAt }, sorted.filter((r) => overlaps(r, activeAt, activeAt)));
    await check("kind=ssh, one day", { kind: "ssh", fromMs: midYear, toMs: midYear + 24 * 60 * MINUTE }, sorted.filter((r) => r.kind === "ssh" && overlaps(r, midYear, midYear + 24 * 60 * MINUTE)));
    await check("status=live", { status: "live" }, sorted.filter((r) => r.status === "live"));
    await check("participant=u007", { participant: "u007" }, sorted.filter((r) => r.participants?.includes("u007")));
    await check("has_marker=file_transfer", { hasMarker: "file_transfer" }, sorted.filter((r) => r.markers.includes("file_transfer")));
    await check("q=desk-004 (FTS trigram)", { q: "desk-004" }, sorted.filter((r) => r.desktopName?.includes("desk-004")));
    await check("q=0.3.1 (FTS trigram, addresses)", { q: "0.3.1" }, sorted.filter((r) => r.desktopAddr?.includes("0.3.1")));
    const someId = sorted[777].id.slice(0, 8);
    await check("q=<id prefix>", { q: someId }, sorted.filter((r) => r.id.includes(someId)));
    await check("user=u100 + desktop-free text + range", { user: "u100", q: "adm", toMs: midYear }, sorted.filter((r) => r.user === "u100" && r.login?.includes("adm") && overlaps(r, undefined, midYear)));

    // q with one or two characters cannot use trigrams: a LIKE scan, first page only.
    const t0 = performance.now();
    const short = await catalog.listRecordings({ q: "u1" });
    timings.push(`${"q=u1 (LIKE scan, first page)".padEnd(44)} first page ${(performance.now() - t0).toFixed(2)} ms`);
    const shortExpected = sorted.filter((r) => [r.user, r.login, r.desktopName, r.desktopAddr, r.id].some((f) => f?.toLowerCase().includes("u1")));
    expect(short.items.map((r) => r.id)).toEqual(shortExpected.slice(0, 50).map((r) => r.id));
  }, 60_000);

  test("every sort and order: first pages from an index, whole walks in exactly the expected order", async () => {
    const raw = new Database(join(dir, "catalog.sqlite"), { readonly: true });
    try {
      for (const sort of RECORDING_SORTS) {
        const up = [...data].sort(ascending(sort));
        for (const order of SORT_ORDERS) {
          const expected = order === "asc" ? up : [...up].reverse();
          // The order must come from an index walk: a sort step would read all 100 000 rows for every page.
          const query = buildListQuery({ sort, order }, sqliteDialect);
          const plan = raw.query<{ detail: string }, (string | number)[]>(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params).map((r) => r.detail);
          expect({ sort, order, plan: plan.filter((d) => /TEMP B-TREE|SCAN r$/.test(d)) }).toEqual({ sort, order, plan: [] });

          const t0 = performance.now();
          const first = await catalog.listRecordings({ sort, order });
          const firstMs = performance.now() - t0;
          expect(first.items.map((r) => r.id)).toEqual(expected.slice(0, 50).map((r) => r.id));
          // A page deep in the list, from the cursor of the page before it.
          const before = await catalog.listRecordings({ sort, order, limit: 500 });
          const t1 = performance.now();
          const deeper = await catalog.listRecordings({ sort, order, cursor: before.next ?? undefined });
          const deeperMs = performance.now() - t1;
          expect(deeper.items.map((r) => r.id)).toEqual(expected.slice(500, 550).map((r) => r.id));
          timings.push(`${`sort=${sort} order=${order}`.padEnd(44)} first page ${firstMs.toFixed(2)} ms, page after 500 rows ${deeperMs.toFixed(2)} ms`);
        }
        if (sort === "duration" || sort === "desktop") await check(`sort=${sort} order=asc, all pages`, { sort, order: "asc" }, up);
      }
      await check("sort=user order=desc, kind=desktop, all pages", { sort: "user", order: "desc", kind: "desktop" }, [...data].sort(ascending("user")).reverse().filter((r) => r.kind === "desktop"));
    } finally {
      raw.close();
    }
  }, 60_000);

  test("FTS against a plain LIKE scan for the same text (measured)", async () => {
    const raw = new Database(join(dir, "catalog.sqlite"), { readonly: true });
    const likeSql = "SELECT id FROM recordings WHERE search_text LIKE ? ORDER BY start_ms DESC, id DESC LIMIT 51";
    const t0 = performance.now();
    const viaLike = raw.query<{ id: string }, [string]>(likeSql).all("%desk-0042%").map((r) => r.id);
    const likeMs = performance.now() - t0;
    const t1 = performance.now();
    const viaFts = (await catalog.listRecordings({ q: "desk-0042" })).items.map((r) => r.id);
    const ftsMs = performance.now() - t1;
    raw.close();
    timings.push(`q=desk-0042: LIKE scan ${likeMs.toFixed(2)} ms vs FTS5 trigram ${ftsMs.toFixed(2)} ms`);
    expect(viaFts).toEqual(viaLike.slice(0, 50));
  });
});
