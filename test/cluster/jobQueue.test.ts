// The job queue on SQLite and on a real PostgreSQL: one claimer per job however many claim at once, leases
// renewed by the holder, a job whose holder died claimed again after its lease, attempts counted, and the
// runner retrying a failing handler until it gives up.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { JobQueue } from "../../src/jobs/jobQueue.ts";
import { JobRunner } from "../../src/jobs/jobRunner.ts";
import { PostgresRunner, type SqlRunner, SqliteRunner } from "../../src/db/sqlRunner.ts";
import { PgDatabases, POSTGRES_SKIP_REASON, postgresAvailable, removeTempDirs, tempDataDir } from "../support/databases.ts";
import { waitFor } from "../support/server.ts";

if (!postgresAvailable) console.warn(`PostgreSQL job queue tests skipped: ${POSTGRES_SKIP_REASON}`);

function jobQueueSuite(label: string, open: (connections: number) => Promise<SqlRunner[]>) {
  describe(`${label}: job queue`, () => {
    test("each of 20 jobs goes to exactly one of 4 nodes claiming at once, oldest first", async () => {
      const runners = await open(4);
      try {
        const queues = await Promise.all(runners.map((r) => JobQueue.open(r)));
        for (let i = 0; i < 20; i++) await queues[0].enqueue("work", { n: i }, 1000 + i);
        await queues[0].enqueue("other-kind", {}, 999);
        const claimed: number[] = [];
        await Promise.all(queues.map(async (q, k) => {
          for (;;) {
            const job = await q.claim(`node-${k}`, ["work"], 5000, 15_000);
            if (!job) return;
            claimed.push(job.payload.n as number);
            expect(job.attempts).toBe(1);
            expect(await q.finish(job, `node-${k}`, 5001)).toBe(true);
          }
        }));
        expect(claimed.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect((await queues[0].pending()).map((j) => j.kind)).toEqual(["other-kind"]);
      } finally {
        for (const r of runners) await r.close();
      }
    });

    test("a job whose holder stopped renewing is claimed again after its lease; the first holder has lost it", async () => {
      const [db] = await open(1);
      try {
        const q = await JobQueue.open(db);
        const queued = await q.enqueue("import.video", { id: "rec-1" }, 1000);
        const first = await q.claim("node-a", ["import.video"], 2000, 15_000);
        expect(first?.id).toBe(queued.id);
        expect(await q.claim("node-b", ["import.video"], 2000 + 14_000, 15_000)).toBeNull();
        expect(await q.renew(first!, "node-a", 10_000, 15_000)).toBe(true); // now good until 25 000
        expect(await q.claim("node-b", ["import.video"], 24_000, 15_000)).toBeNull();
        const second = await q.claim("node-b", ["import.video"], 25_001, 15_000);
        expect(second).toMatchObject({ id: queued.id, attempts: 2, claimedBy: "node-b", state: "running" });
        expect(await q.renew(first!, "node-a", 25_002, 15_000)).toBe(false);
        expect(await q.finish(first!, "node-a", 25_003)).toBe(false);
        expect(await q.finish(second!, "node-b", 30_000)).toBe(true);
        expect(await q.get(queued.id)).toMatchObject({ state: "done", error: null, attempts: 2 });
        expect(await q.claim("node-c", ["import.video"], 100_000, 15_000)).toBeNull();
      } finally {
        await db.close();
      }
    });

    test("the runner retries a failing handler on release and gives up after the last attempt", async () => {
      const [db] = await open(1);
      const lines: string[] = [];
      const gaveUp: string[] = [];
      let runs = 0;
      try {
        const q = await JobQueue.open(db);
        const job = await q.enqueue("flaky", { id: "x" }, Date.now(), 2);
        const runner = new JobRunner({
          queue: q, node: { name: "node-a" }, leaseMs: 3000, log: (l) => lines.push(l), pollMs: 20,
          handlers: [{
            kind: "flaky",
            run: async () => {
              runs++;
              throw new Error(`broken ${runs}`);
            },
            gaveUp: async (j, reason) => void gaveUp.push(`${j.payload.id}: ${reason}`),
          }],
        });
        runner.start();
        const final = await waitFor("the job to fail", async () => {
          const j = await q.get(job.id);
          return j?.state === "failed" ? j : undefined;
        }, 10_000);
        await runner.stop();
        expect(runs).toBe(2);
        expect(final.error).toBe("gave up after 2 attempts (broken 2)");
        expect(gaveUp).toEqual(["x: gave up after 2 attempts (broken 2)"]);
        expect(lines.some((l) => l.includes("attempt 1 failed: broken 1"))).toBe(true);
      } finally {
        await db.close();
      }
    });
  });
}

jobQueueSuite("SQLite", async (connections) => {
  const path = join(tempDataDir(), "catalog.sqlite");
  return Array.from({ length: connections }, () => new SqliteRunner(path));
});

const pg = new PgDatabases();
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  beforeAll(() => pg.start(), 30_000);
  afterAll(async () => {
    await pg.stop();
    removeTempDirs();
  });
  jobQueueSuite("PostgreSQL", async (connections) => {
    const url = await pg.freshUrl("jobs");
    return Array.from({ length: connections }, () => PostgresRunner.connect(url, 2));
  });
});
