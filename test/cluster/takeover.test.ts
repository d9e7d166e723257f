// Several nodes on one real PostgreSQL: a node that restarts recovers only its own sessions (the others' stay
// live), and a node killed with SIGKILL has its live sessions marked interrupted by a survivor within 30 s.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ClusterBody } from "../../src/api/cluster.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { PgDatabases, POSTGRES_SKIP_REASON, postgresAvailable, removeTempDirs, tempDataDir } from "../support/databases.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { startServerProcess } from "../support/serverProcess.ts";

if (!postgresAvailable) console.warn(`cluster takeover tests skipped: ${POSTGRES_SKIP_REASON}`);

const pg = new PgDatabases();
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

interface Item { id: string; status: string; desktop: { name: string } }

async function recording(base: string, desktop: string): Promise<Item | undefined> {
  const res = await fetch(`${base}/v1/recordings?desktop=${desktop}`, { headers: auth });
  return ((await res.json()) as { items: Item[] }).items[0];
}

describe.skipIf(!postgresAvailable)("nodes sharing one PostgreSQL", () => {
  beforeAll(() => pg.start(), 30_000);
  afterAll(async () => {
    await pg.stop();
    removeTempDirs();
  });

  test("restarting node B leaves node C's live sessions live; a SIGKILLed node's sessions are interrupted within 30 s", async () => {
    const url = await pg.freshUrl("takeover");
    const env = (name: string) => ({ DESKREEL_DATABASE_URL: url, DESKREEL_NODE_NAME: name });
    const dirB = tempDataDir();
    let b: TestServer | null = await startTestServer(env("node-b"), dirB);
    const c = await startTestServer(env("node-c"));
    const a = await startServerProcess(env("node-a"));
    const clients: IngestClient[] = [];
    try {
      clients.push(await IngestClient.connect(c.url, ADMIN_TOKEN, { desktop: "WIN-ON-C", user: "cora" }));
      clients.push(await IngestClient.connect(a.url, ADMIN_TOKEN, { desktop: "WIN-ON-A", user: "abe" }));
      const onC = await waitFor("C's session", () => recording(c.url, "WIN-ON-C"));
      const onA = await waitFor("A's session", () => recording(b!.url, "WIN-ON-A"));
      expect([onC.status, onA.status]).toEqual(["live", "live"]);
      expect((await c.services.catalog.getRecording(onA.id))?.ownerNode).toBe("node-a");

      const nodes = (await b.json<ClusterBody>("/v1/cluster")).nodes;
      expect(nodes.map((n) => [n.name, n.alive, n.liveSessions])).toEqual([["node-a", true, 1], ["node-b", true, 0], ["node-c", true, 1]]);

      // B restarts (stop, start on the same data dir): only its own sessions are recovered.
      await b.stop();
      b = await startTestServer(env("node-b"), dirB);
      expect((await recording(b.url, "WIN-ON-C"))?.status).toBe("live");
      expect((await recording(b.url, "WIN-ON-A"))?.status).toBe("live");

      // A dies without a word.
      const killedAt = Date.now();
      process.kill(a.pid, "SIGKILL");
      const interrupted = await waitFor("A's session to be interrupted", async () => {
        const item = await recording(b!.url, "WIN-ON-A");
        return item?.status === "interrupted" ? item : undefined;
      }, 40_000);
      const tookMs = Date.now() - killedAt;
      console.log(`node-a's session interrupted ${tookMs} ms after SIGKILL (lease 15 s)`);
      expect(tookMs).toBeLessThan(30_000);
      const row = await c.services.catalog.getRecording(interrupted.id);
      expect(row?.error).toMatch(/node node-a stopped while the session was live \(taken over by node-[bc]\)/);
      expect(row?.endMs).not.toBeNull();
      expect((await recording(b.url, "WIN-ON-C"))?.status).toBe("live");
      const after = (await c.json<ClusterBody>("/v1/cluster")).nodes;
      expect(after.find((n) => n.name === "node-a")).toMatchObject({ alive: false, liveSessions: 0 });
      expect(after.find((n) => n.name === "node-c")).toMatchObject({ alive: true, liveSessions: 1 });
    } finally {
      for (const client of clients) await client.close().catch(() => undefined);
      await a.stop().catch(() => undefined);
      await b?.dispose();
      await c.dispose();
    }
  }, 120_000);
});
