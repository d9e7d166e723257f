// Two nodes on one real PostgreSQL share accounts and the audit log: a user made through node A logs in through
// node B, a token made on A works on B, a password change on B ends the session opened on A, a token revoked on B
// closes the ingest socket opened with it on A, and B's audit log shows what A did.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { PgDatabases, POSTGRES_SKIP_REASON, postgresAvailable, removeTempDirs } from "../support/databases.ts";
import { sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { startTestServer, type TestServer, waitFor } from "../support/server.ts";

setDefaultTimeout(60_000);
if (!postgresAvailable) console.warn(`shared account tests skipped: ${POSTGRES_SKIP_REASON}`);

const pg = new PgDatabases();
let a: TestServer;
let b: TestServer;

function post(server: TestServer, path: string, body: unknown, headers: Record<string, string> = server.auth): Promise<Response> {
  return fetch(server.url + path, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function login(server: TestServer, username: string, password: string): Promise<string | null> {
  const res = await post(server, "/v1/auth/login", { username, password }, {});
  if (res.status !== 200) return null;
  return (res.headers.get("set-cookie") ?? "").split(";")[0];
}

describe.skipIf(!postgresAvailable)("accounts shared through PostgreSQL", () => {
  beforeAll(async () => {
    await pg.start();
    const url = await pg.freshUrl("accounts");
    // Both start at once on an empty database: one of them makes the first admin, neither fails.
    [a, b] = await Promise.all([
      startTestServer({ DESKREEL_DATABASE_URL: url, DESKREEL_NODE_NAME: "node-a" }),
      startTestServer({ DESKREEL_DATABASE_URL: url, DESKREEL_NODE_NAME: "node-b" }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await pg.stop();
    removeTempDirs();
  });

  test("both nodes started on one empty database: exactly one first admin, printed by one node", async () => {
    const printed = [...a.logs, ...b.logs].filter((l) => l.includes('created user "admin"'));
    expect(printed).toHaveLength(1);
    const users = (await a.json<{ items: { name: string }[] }>("/v1/users")).items.map((u) => u.name);
    expect(users).toEqual(["admin"]);
  });

  test("a user made through node A logs in through node B; a password change on B ends A's session", async () => {
    expect((await post(a, "/v1/users", { name: "alice", password: "alice password 1", role: "auditor" })).status).toBe(201);
    expect((await b.json<{ items: { name: string }[] }>("/v1/users")).items.map((u) => u.name)).toContain("alice");
    const onB = await login(b, "alice", "alice password 1");
    expect(onB).not.toBeNull();
    const me = await (await fetch(`${b.url}/v1/auth/me`, { headers: { cookie: onB! } })).json();
    expect(me).toMatchObject({ name: "alice", role: "auditor" });
    // The cookie of a login on B works on A too (one session table).
    expect((await fetch(`${a.url}/v1/auth/me`, { headers: { cookie: onB! } })).status).toBe(200);
    const onA = await login(a, "alice", "alice password 1");
    expect((await post(b, "/v1/users/alice/password", { password: "alice password 2" })).status).toBe(204);
    expect((await fetch(`${a.url}/v1/auth/me`, { headers: { cookie: onA! } })).status).toBe(401);
    expect(await login(a, "alice", "alice password 1")).toBeNull();
    expect(await login(a, "alice", "alice password 2")).not.toBeNull();
  });

  test("a token made on node A works on node B until it is revoked on B", async () => {
    const res = await post(a, "/v1/tokens", { name: "ingest-1", role: "auditor" });
    expect(res.status).toBe(201);
    const { token, id } = (await res.json()) as { token: string; id: string };
    const bearer = { authorization: `Bearer ${token}` };
    expect((await fetch(`${b.url}/v1/recordings`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${b.url}/v1/tokens/${id}`, { method: "DELETE", headers: b.auth })).status).toBe(204);
    expect((await fetch(`${a.url}/v1/recordings`, { headers: bearer })).status).toBe(401);
  });

  test("an agent's ingest socket on node A closes when its token is revoked on node B (at A's next re-check)", async () => {
    const res = await post(b, "/v1/tokens", { name: "desktop-agent", role: "agent" });
    const { token, id } = (await res.json()) as { token: string; id: string };
    const client = await IngestClient.connect(a.url, token, { desktop: "WIN-SHARED", user: "alice", session_id: "revoked-elsewhere" });
    await client.replay(sampleUntil(1000));
    await waitFor("the session on node A", () => (a.services.live.has("revoked-elsewhere") ? true : undefined));
    expect((await fetch(`${b.url}/v1/tokens/${id}`, { method: "DELETE", headers: b.auth })).status).toBe(204);
    // Node A re-checks its sockets' credentials every 10 s.
    await client.waitClosed();
    expect([client.closeCode, client.closeReason]).toEqual([1008, "token revoked"]);
    const item = await waitFor("the recording complete", async () => {
      const row = await a.json<{ status: string }>("/v1/recordings/revoked-elsewhere");
      return row.status === "live" ? undefined : row;
    });
    expect(item.status).toBe("complete");
  });

  test("node B's audit log shows the account changes made through node A", async () => {
    const body = await b.json<{ events: { event: string; name?: string; user?: string }[] }>("/v1/audit/events?type=user.create");
    expect(body.events.some((e) => JSON.stringify(e).includes("alice"))).toBe(true);
  });
});
