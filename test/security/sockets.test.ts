// WebSockets and the login cookie: a page of another origin (another port of the same host included) cannot
// use an admin's or auditor's cookie to watch live video or to feed a forged session in; agents use tokens.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sampleRecords } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { tryUpgrade } from "../support/upgrade.ts";

let server: TestServer;
let agentToken: string;
let adminCookie: string;
let liveId: string;
let client: IngestClient;

async function login(ts: TestServer, username: string, password: string): Promise<string> {
  const res = await fetch(`${ts.url}/v1/auth/login`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password }),
  });
  expect(res.status).toBe(200);
  return res.headers.get("set-cookie")!.split(";")[0];
}

async function api(ts: TestServer, path: string, method: string, body: unknown): Promise<Response> {
  return fetch(ts.url + path, { method, headers: { ...ts.auth, "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** Opens a WebSocket the way a page would (Origin + cookie) and waits for its first text message or failure. */
function firstTextMessage(url: string, headers: Record<string, string>): Promise<string> {
  const ws = new WebSocket(url, { headers } as unknown as string[]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (ws.close(), reject(new Error("no message in 15 s"))), 15_000);
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") return;
      clearTimeout(timer);
      ws.close();
      resolve(e.data);
    });
    ws.addEventListener("error", () => (clearTimeout(timer), reject(new Error("refused"))));
  });
}

beforeAll(async () => {
  server = await startTestServer();
  const created = await api(server, "/v1/users", "POST", { name: "boss", password: "boss password 1", role: "admin" });
  expect(created.status).toBe(201);
  adminCookie = await login(server, "boss", "boss password 1");
  const token = await api(server, "/v1/tokens", "POST", { name: "desktop-agent", role: "agent" });
  agentToken = ((await token.json()) as { token: string }).token;
  liveId = "origin-live-1";
  client = await IngestClient.connect(server.url, agentToken, { desktop: "WIN-ORIGIN", user: "alice", session_id: liveId });
  await client.replay(sampleRecords().slice(0, 40));
  await waitFor("the live session", () => (server.services.live.has(liveId) ? true : undefined));
});

afterAll(async () => {
  await client?.close();
  await server?.dispose();
});

describe("the live socket with the login cookie", () => {
  test("a page on another port of the same host is refused with 403", async () => {
    const other = new URL(server.url);
    other.port = String(Number(other.port) + 1);
    const answer = await tryUpgrade(server.url, `/v1/recordings/${liveId}/live`, { Origin: other.origin, Cookie: adminCookie });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error).toContain("another origin");
  });

  test("another site, an opaque origin, and no Origin at all are refused", async () => {
    for (const origin of ["https://evil.example", "null", "file://"]) {
      const answer = await tryUpgrade(server.url, `/v1/recordings/${liveId}/live`, { Origin: origin, Cookie: adminCookie });
      expect(answer.status).toBe(403);
    }
    const bare = await tryUpgrade(server.url, `/v1/recordings/${liveId}/live`, { Cookie: adminCookie });
    expect(bare.status).toBe(403);
    expect(JSON.parse(bare.body).error).toContain("Origin");
  });

  test("the server's own page is let in and receives the stream", async () => {
    const answer = await tryUpgrade(server.url, `/v1/recordings/${liveId}/live`, { Origin: server.url, Cookie: adminCookie });
    expect(answer.status).toBe(101);
    const first = await firstTextMessage(`${server.url.replace(/^http/, "ws")}/v1/recordings/${liveId}/live`, { Origin: server.url, Cookie: adminCookie });
    expect(JSON.parse(first).type).toBe("init");
  });

  test("a viewer on the cookie is cut off when their password is changed", async () => {
    await api(server, "/v1/users", "POST", { name: "watcher", password: "watcher password", role: "auditor" });
    const cookie = await login(server, "watcher", "watcher password");
    const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/v1/recordings/${liveId}/live`, { headers: { Origin: server.url, Cookie: cookie } } as unknown as string[]);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("message", (e) => typeof e.data === "string" && resolve());
      ws.addEventListener("error", () => reject(new Error("refused")));
    });
    expect((await api(server, "/v1/users/watcher/password", "POST", { password: "another password" })).status).toBe(204);
    expect(await closed).toEqual({ code: 1008, reason: "logged out: the account changed" });
  });

  test("a bearer token needs no Origin (not a browser: pages cannot set Authorization on a WebSocket)", async () => {
    const answer = await tryUpgrade(server.url, `/v1/recordings/${liveId}/live`, { Origin: "https://evil.example", Authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(answer.status).toBe(101);
  });
});

describe("ingest sockets take bearer tokens only", () => {
  const desktop = "/v1/ingest/desktop?desktop=WIN-FORGED&user=mallory&login=Administrator";
  const ssh = "/v1/ingest/ssh?host=web-1&user=mallory&login=root";

  test("an admin's cookie cannot open a desktop or SSH ingest socket, even from the server's own origin", async () => {
    for (const path of [desktop, ssh]) {
      const answer = await tryUpgrade(server.url, path, { Origin: server.url, Cookie: adminCookie });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).error).toContain("bearer token");
    }
    const forged = await server.json<{ items: unknown[] }>("/v1/recordings?user=mallory");
    expect(forged.items).toEqual([]);
  });

  test("an agent token opens both", async () => {
    for (const path of [desktop, ssh]) {
      const answer = await tryUpgrade(server.url, path, { Authorization: `Bearer ${agentToken}` });
      expect(answer.status).toBe(101);
    }
  });
});

describe("DESKREEL_PUBLIC_URL", () => {
  let proxied: TestServer;
  let cookie: string;

  beforeAll(async () => {
    proxied = await startTestServer({ DESKREEL_PUBLIC_URL: "https://deskreel.example.com" });
    await api(proxied, "/v1/users", "POST", { name: "vera", password: "vera password 1", role: "auditor" });
    const res = await fetch(`${proxied.url}/v1/auth/login`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "vera", password: "vera password 1" }),
    });
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toContain("Secure");
    expect(setCookie).toContain("HttpOnly");
    cookie = setCookie.split(";")[0];
  });

  afterAll(async () => {
    await proxied?.dispose();
  });

  test("its https origin may use the cookie on sockets; other origins may not", async () => {
    // No such recording: a socket past the origin check gets 404 from the recording lookup.
    const ok = await tryUpgrade(proxied.url, "/v1/recordings/nope/live", { Origin: "https://deskreel.example.com", Cookie: cookie });
    expect(ok.status).toBe(404);
    for (const origin of ["http://deskreel.example.com", "https://deskreel.example.com.evil.example", "https://evil.example"]) {
      const refused = await tryUpgrade(proxied.url, "/v1/recordings/nope/live", { Origin: origin, Cookie: cookie });
      expect(refused.status).toBe(403);
    }
  });

  test("a cross-site logout is refused; one from the public origin ends the session", async () => {
    const post = (origin: string) =>
      fetch(`${proxied.url}/v1/auth/logout`, { method: "POST", headers: { origin, cookie } });
    expect((await post("https://evil.example")).status).toBe(403);
    expect((await fetch(`${proxied.url}/v1/auth/me`, { headers: { cookie } })).status).toBe(200);
    expect((await post("https://deskreel.example.com")).status).toBe(200);
    expect((await fetch(`${proxied.url}/v1/auth/me`, { headers: { cookie } })).status).toBe(401);
  });
});
