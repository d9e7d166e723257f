// The catalog contract against a real PostgreSQL server started for this file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { PostgresCatalog, postgresDialect } from "../../src/catalog/postgresCatalog.ts";
import { buildListQuery } from "../../src/catalog/listQuery.ts";
import { RECORDING_SORTS, SORT_ORDERS } from "../../src/catalog/types.ts";
import { catalogContract } from "./catalogSuite.ts";
import { POSTGRES_INSTALL_HINT, type PgTestServer, postgresBinDir, startPostgres } from "./pgserver.ts";

const available = postgresBinDir() !== null;
if (!available) console.warn(`PostgreSQL catalog tests skipped: PostgreSQL is not installed. Install it with: ${POSTGRES_INSTALL_HINT}`);

let server: PgTestServer | null = null;
let admin: SQL | null = null;
let databases = 0;

/** Each call gets a new, empty database on the shared server. */
async function freshCatalog(): Promise<PostgresCatalog> {
  if (!server || !admin) throw new Error("PostgreSQL test server is not running");
  const name = `catalog_${++databases}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  return PostgresCatalog.open(server.url.replace(/\/postgres$/, `/${name}`));
}

describe.skipIf(!available)("PostgresCatalog", () => {
  beforeAll(async () => {
    server = await startPostgres();
    admin = new SQL(server.url);
  }, 30_000);
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  catalogContract("PostgreSQL", freshCatalog);

  test("two servers opening one catalog at once migrate it once", async () => {
    if (!server || !admin) throw new Error("not started");
    await admin.unsafe("CREATE DATABASE catalog_shared");
    const url = server.url.replace(/\/postgres$/, "/catalog_shared");
    const [a, b] = await Promise.all([PostgresCatalog.open(url), PostgresCatalog.open(url)]);
    await a.createRecording({ id: "shared-1", kind: "desktop", user: "alice", startMs: 5 });
    expect((await b.getRecording("shared-1"))?.user).toBe("alice");
    await a.close();
    await b.close();
  });

  test("100 000 recordings: every sort's first page comes from an index walk (timings printed)", async () => {
    if (!server || !admin) throw new Error("not started");
    await admin.unsafe("CREATE DATABASE catalog_sorted");
    const url = server.url.replace(/\/postgres$/, "/catalog_sorted");
    const catalog = await PostgresCatalog.open(url);
    const raw = new SQL(url);
    try {
      const t0 = performance.now();
      await raw.unsafe(`INSERT INTO recordings (id, kind, user_name, login, desktop_name, desktop_addr, cluster, start_ms, end_ms, duration_ms,
          status, width, height, video_state, video_duration_ms, video_bytes, meta, participants, search_text)
        SELECT 'g' || lpad(i::text, 6, '0'), 'desktop', 'u' || (i * 7919 % 200), 'x', CASE WHEN i % 4 = 0 THEN '' ELSE 'desk-' || (i % 500) END,
          '10.0.' || (i % 256) || '.1:3389', '', 1700000000000 + i * 60000, 1700000000000 + i * 60000 + (i * 104729 % 10800000),
          i * 104729 % 10800000, 'complete', 0, 0, 'none', 0, 0, '{}', '[]', ''
        FROM generate_series(1::bigint, 100000::bigint) AS i`);
      await raw.unsafe("ANALYZE recordings");
      const lines = [`insert 100000 rows: ${(performance.now() - t0).toFixed(0)} ms`];
      for (const sort of RECORDING_SORTS) {
        for (const order of SORT_ORDERS) {
          const query = buildListQuery({ sort, order }, postgresDialect);
          const plan: { "QUERY PLAN": string }[] = await raw.unsafe(`EXPLAIN ${query.sql}`, query.params);
          const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
          // A Sort node would read every row for every page.
          expect({ sort, order, sorts: /\bSort\b/.test(text), index: /Index Scan/.test(text) }).toEqual({ sort, order, sorts: false, index: true });
          const t1 = performance.now();
          const first = await catalog.listRecordings({ sort, order });
          const firstMs = performance.now() - t1;
          const t2 = performance.now();
          const second = await catalog.listRecordings({ sort, order, cursor: first.next ?? undefined });
          lines.push(`sort=${sort} order=${order}`.padEnd(28) + ` first page ${firstMs.toFixed(2)} ms, next page ${(performance.now() - t2).toFixed(2)} ms`);
          expect(first.items.length + second.items.length).toBe(100);
        }
      }
      console.log(`catalog timings (PostgreSQL, 100000 recordings):\n  ${lines.join("\n  ")}`);
    } finally {
      await raw.close();
      await catalog.close();
    }
  }, 60_000);
});
