// GET /v1/cluster on the embedded default (a cluster of one): the node itself, alive, with its live sessions;
// admins only. A clean stop leaves the registry.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { hostname } from "node:os";
import type { ClusterBody } from "../../src/api/cluster.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());

describe("GET /v1/cluster", () => {
  test("lists this node alive under host:port with its live sessions", async () => {
    const name = `${hostname()}:${server.port}`;
    const before = await server.json<ClusterBody>("/v1/cluster");
    expect(before.nodes).toHaveLength(1);
    expect(before.nodes[0]).toMatchObject({ name, url: `http://127.0.0.1:${server.port}`, alive: true, liveSessions: 0 });
    expect(Math.abs(before.nodes[0].lastSeenMs - Date.now())).toBeLessThan(15_000);
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-CLUSTER", user: "ann" });
    try {
      const during = await waitFor("the live session to count", async () => {
        const body = await server.json<ClusterBody>("/v1/cluster");
        return body.nodes[0].liveSessions === 1 ? body : undefined;
      });
      expect(during.nodes[0].name).toBe(name);
      const page = await server.json<{ items: { id: string }[] }>("/v1/recordings?desktop=WIN-CLUSTER");
      expect((await server.services.catalog.getRecording(page.items[0].id))?.ownerNode).toBe(name);
    } finally {
      await client.close();
    }
  });

  test("admins only", async () => {
    expect((await server.get("/v1/cluster", {})).status).toBe(401);
    const token = await server.services.auth.createToken("auditor-script", "auditor");
    expect((await server.get("/v1/cluster", { authorization: `Bearer ${token}` })).status).toBe(403);
  });

  test("a clean stop leaves the registry", async () => {
    const other = await startTestServer();
    const dir = other.dataDir;
    const name = other.services.node.name;
    await other.stop();
    const db = new Database(join(dir, "catalog.sqlite"), { readonly: true });
    try {
      expect(db.query("SELECT name FROM cluster_nodes WHERE name = ?").all(name)).toEqual([]);
    } finally {
      db.close();
    }
  });
});
