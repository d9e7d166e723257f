// The node registry and its takeover claim on SQLite and on a real PostgreSQL: leases, live-session counts,
// and one winner when several nodes claim the same dead node at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { NodeRegistry } from "../../src/cluster/registry.ts";
import type { Catalog } from "../../src/catalog/catalog.ts";
import { openCatalog } from "../../src/catalog/openCatalog.ts";
import { PostgresRunner, type SqlRunner, SqliteRunner } from "../../src/db/sqlRunner.ts";
import { PgDatabases, POSTGRES_SKIP_REASON, postgresAvailable, removeTempDirs, tempDataDir } from "../support/databases.ts";

if (!postgresAvailable) console.warn(`PostgreSQL registry tests skipped: ${POSTGRES_SKIP_REASON}`);

interface Backend {
  catalog: Catalog;
  /** Separate connections, as separate nodes have. */
  runners: SqlRunner[];
  close(): Promise<void>;
}

function registrySuite(label: string, open: (connections: number) => Promise<Backend>) {
  describe(`${label}: node registry`, () => {
    test("heartbeats, leases, live sessions per node, leaving", async () => {
      const b = await open(1);
      try {
        const registry = await NodeRegistry.open(b.runners[0]);
        expect(await registry.heartbeat({ name: "a", url: "http://a:1", incarnation: "i1", startedMs: 100 }, 1000)).toBeNull();
        expect(await registry.heartbeat({ name: "a", url: "http://a:2", incarnation: "i1", startedMs: 100 }, 2000)).toBe("i1");
        await registry.heartbeat({ name: "b", url: "http://b:1", incarnation: "j1", startedMs: 100 }, 1500);
        expect((await registry.nodes()).map((n) => [n.name, n.url, n.lastSeenMs])).toEqual([["a", "http://a:2", 2000], ["b", "http://b:1", 1500]]);
        await b.catalog.createRecordings([
          { id: "s1", kind: "desktop", user: "u", startMs: 1, ownerNode: "a" },
          { id: "s2", kind: "ssh", user: "u", startMs: 2, ownerNode: "a" },
          { id: "s3", kind: "desktop", user: "u", startMs: 3, ownerNode: "b", status: "complete" },
        ]);
        expect(Object.fromEntries(await registry.liveSessionCounts())).toEqual({ a: 2 });
        await registry.leave("b", "not-its-incarnation");
        expect((await registry.node("b"))?.url).toBe("http://b:1");
        await registry.leave("b", "j1");
        expect(await registry.node("b")).toBeNull();
      } finally {
        await b.close();
      }
    });

    test("a dead node with live sessions is claimed by exactly one of the nodes claiming at once, again after the claim lapses", async () => {
      const b = await open(3);
      try {
        const registries = await Promise.all(b.runners.map((r) => NodeRegistry.open(r)));
        const lease = 15_000;
        await registries[0].heartbeat({ name: "dead", url: "http://d", incarnation: "x", startedMs: 0 }, 1000);
        await registries[0].heartbeat({ name: "idle-dead", url: "http://e", incarnation: "y", startedMs: 0 }, 1000);
        await b.catalog.createRecording({ id: "live-1", kind: "desktop", user: "u", startMs: 5, ownerNode: "dead" });
        // Within the lease: nobody may claim it.
        expect(await registries[1].claimDead("n1", 1000 + lease - 1, lease, 60_000)).toEqual([]);
        const now = 1000 + lease + 1;
        const claims = await Promise.all(registries.map((r, i) => r.claimDead(`n${i}`, now, lease, 60_000)));
        // idle-dead owns no live session: not claimed.
        expect(claims.flat()).toEqual(["dead"]);
        const winner = claims.findIndex((c) => c.length === 1);
        expect((await registries[0].node("dead"))?.claimedBy).toBe(`n${winner}`);
        expect(await registries[0].claimDead("n9", now + 1000, lease, 60_000)).toEqual([]);
        // The claimer died too: after its claim lapses another node claims again.
        expect(await registries[2].claimDead("n9", now + 60_001, lease, 60_000)).toEqual(["dead"]);
        // A node claims no one while it is itself the dead one.
        expect(await registries[1].claimDead("dead", now + 200_000, lease, 60_000)).toEqual([]);
        // Back alive: the heartbeat ends the claim and nobody claims it.
        await registries[0].heartbeat({ name: "dead", url: "http://d", incarnation: "x2", startedMs: now }, now + 200_000);
        expect((await registries[0].node("dead"))?.claimedBy).toBeNull();
        expect(await registries[1].claimDead("n1", now + 200_001, lease, 60_000)).toEqual([]);
        // Nodes long dead and owning nothing are forgotten.
        expect(await registries[0].forgetDead(now + 200_000, 100_000)).toBe(1);
        expect((await registries[0].nodes()).map((n) => n.name)).toEqual(["dead"]);
      } finally {
        await b.close();
      }
    });
  });
}

registrySuite("SQLite", async (connections) => {
  const dir = tempDataDir();
  const catalog = await openCatalog({ dataDir: dir, databaseUrl: null });
  const runners = Array.from({ length: connections }, () => new SqliteRunner(join(dir, "catalog.sqlite")));
  return { catalog, runners, close: async () => { for (const r of runners) await r.close(); await catalog.close(); } };
});

const pg = new PgDatabases();
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  beforeAll(() => pg.start(), 30_000);
  afterAll(async () => {
    await pg.stop();
    removeTempDirs();
  });
  registrySuite("PostgreSQL", async (connections) => {
    const url = await pg.freshUrl("registry");
    const catalog = await openCatalog({ dataDir: tempDataDir(), databaseUrl: url });
    const runners = Array.from({ length: connections }, () => PostgresRunner.connect(url, 2));
    return { catalog, runners, close: async () => { for (const r of runners) await r.close(); await catalog.close(); } };
  });
});
