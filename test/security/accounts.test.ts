// Accounts against a real server: guessing is throttled and locked out, password checks are bounded, changes to
// an account end its browser sessions and its tokens, and every account change is in the main audit log.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startTestServer, type TestServer, waitFor } from "../support/server.ts";

// Each password hash or check is tens of ms of argon2, more on a loaded machine.
setDefaultTimeout(60_000);

let server: TestServer;

interface AuditEvent {
  event: string;
  code: string;
  user?: string;
  name?: string;
  success?: boolean;
  error?: string;
  [field: string]: unknown;
}

function post(path: string, body: unknown, headers: Record<string, string> = server.auth, method = "POST"): Promise<Response> {
  return fetch(server.url + path, { method, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
}

function login(username: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return post("/v1/auth/login", { username, password }, headers);
}

async function cookieOf(username: string, password: string): Promise<string> {
  const res = await login(username, password);
  expect(res.status).toBe(200);
  return res.headers.get("set-cookie")!.split(";")[0];
}

async function createUser(name: string, password: string, role = "user"): Promise<void> {
  expect((await post("/v1/users", { name, password, role })).status).toBe(201);
}

const me = (cookie: string) => fetch(`${server.url}/v1/auth/me`, { headers: { cookie } });

async function audit(type: string): Promise<AuditEvent[]> {
  return (await server.json<{ events: AuditEvent[] }>(`/v1/audit/events?type=${type}&limit=1000`)).events;
}

/** A server of its own per group: the address throttle remembers every failure a group makes from 127.0.0.1. */
function withOwnServer(): void {
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });
}

describe("login throttling", () => {
  withOwnServer();

  test("20 wrong passwords, then the right one: still refused with 429 and Retry-After", async () => {
    await createUser("target", "the right password");
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await login("target", `guess number ${i}`)).status);
    // Three free failures, then the user name waits before every further attempt.
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(16);
    const right = await login("target", "the right password");
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(right.headers.get("set-cookie")).toBeNull();
    expect(((await right.json()) as { error: string }).error).toContain("too many failed logins");
    // Refused attempts never reached the password check: only the real failures are audited.
    const failures = (await audit("user.login")).filter((e) => e.user === "target");
    expect(failures.length).toBe(4);
    expect(failures.every((e) => e.code === "T1000W" && e.success === false)).toBe(true);
  });

  test("the wait doubles, and after it the right password works again", async () => {
    await createUser("typo", "typo's password");
    for (let i = 0; i < 4; i++) await login("typo", "wrong");
    const first = await login("typo", "typo's password");
    expect(first.status).toBe(429);
    const wait = Number(first.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(2);
    // Wait for the answer to change rather than sleeping the advertised wait: refused attempts are not failures, so
    // asking again neither extends the wait nor counts against the user. Bounded well past the advertised seconds.
    const ok = await waitFor("the wait to run out", async () => {
      const res = await login("typo", "typo's password");
      return res.status === 429 ? undefined : res;
    }, wait * 1000 + 10_000);
    expect(ok.status).toBe(200);
  });

  test("guessing across many names from one address is throttled by address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await login(`nobody${i}`, "whatever")).status);
    // Ten free failures for the address (the earlier tests' failures came from here too), then waiting.
    expect(statuses.at(-1)).toBe(429);
    expect(statuses).toContain(401);
  });

  test("password checks run two at a time; a burst beyond the queue is answered 503, not with more memory", async () => {
    // All from one address: use a server whose throttle has not seen the failures above.
    const fresh = await startTestServer();
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(`${fresh.url}/v1/auth/login`, {
            method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: `burst${i}`, password: "x".repeat(12) }),
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      const work = fresh.services.auth.stats().passwords;
      expect(work.peakRunning).toBeLessThanOrEqual(2);
      expect(statuses.filter((s) => s === 503).length).toBe(work.busyRefusals);
      expect(work.busyRefusals).toBeGreaterThan(0);
      for (const r of results.filter((r) => r.status === 503)) expect(r.headers.get("retry-after")).toBe("1");
      expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    } finally {
      await fresh.dispose();
    }
  }, 180_000);
});

describe("ending sessions and tokens", () => {
  withOwnServer();

  test("an admin setting a user's password logs out every browser of that user", async () => {
    await createUser("carol", "carol's first password");
    const a = await cookieOf("carol", "carol's first password");
    const b = await cookieOf("carol", "carol's first password");
    expect((await me(a)).status).toBe(200);
    expect((await post("/v1/users/carol/password", { password: "carol's second password" })).status).toBe(204);
    expect((await me(a)).status).toBe(401);
    expect((await me(b)).status).toBe(401);
    expect((await login("carol", "carol's first password")).status).toBe(401);
    expect((await login("carol", "carol's second password")).status).toBe(200);
  });

  test("an admin changing their own password keeps a fresh session; their other browser is logged out", async () => {
    await createUser("dana", "dana's first password", "admin");
    const here = await cookieOf("dana", "dana's first password");
    const elsewhere = await cookieOf("dana", "dana's first password");
    const res = await post("/v1/users/dana/password", { password: "dana's second password" }, { cookie: here, origin: server.url });
    expect(res.status).toBe(204);
    const fresh = res.headers.get("set-cookie")!.split(";")[0];
    expect((await me(fresh)).status).toBe(200);
    expect((await me(here)).status).toBe(401);
    expect((await me(elsewhere)).status).toBe(401);
  });

  test("a role change logs the user out and is audited as user.update", async () => {
    await createUser("erin", "erin's password", "auditor");
    const cookie = await cookieOf("erin", "erin's password");
    const res = await post("/v1/users/erin", { role: "user" }, server.auth, "PATCH");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "erin", role: "user" });
    expect((await me(cookie)).status).toBe(401);
    const again = await cookieOf("erin", "erin's password");
    expect(await (await me(again)).json()).toMatchObject({ name: "erin", role: "user" });
    const update = (await audit("user.update")).find((e) => e.name === "erin")!;
    expect(update).toMatchObject({ code: "T1003I", user: "admin", roles: ["user"], previous_roles: ["auditor"] });
  });

  test("deleting a user ends their sessions and the tokens they made", async () => {
    await createUser("frank", "frank's password", "admin");
    const cookie = await cookieOf("frank", "frank's password");
    const made = await post("/v1/tokens", { name: "franks-agent", role: "agent" }, { cookie, origin: server.url });
    expect(made.status).toBe(201);
    const { token, id } = (await made.json()) as { token: string; id: string };
    const withToken = () => fetch(`${server.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await withToken()).status).toBe(200);
    expect((await fetch(`${server.url}/v1/users/frank`, { method: "DELETE", headers: server.auth })).status).toBe(204);
    expect((await withToken()).status).toBe(401);
    expect((await me(cookie)).status).toBe(401);
    const listed = (await server.json<{ items: { id: string; revoked: boolean; owner: string }[] }>("/v1/tokens")).items.find((t) => t.id === id);
    expect(listed).toMatchObject({ revoked: true, owner: "frank" });
    const deleted = (await audit("token.delete")).find((e) => e.token_id === id)!;
    expect(deleted).toMatchObject({ code: "DR1002I", user: "admin" });
    expect((await audit("user.delete")).find((e) => e.name === "frank")).toMatchObject({ code: "T1004I", user: "admin", tokens_revoked: 1 });
  });

  test("an admin demoted to auditor loses the tokens they made", async () => {
    await createUser("gus", "gus's password", "admin");
    const cookie = await cookieOf("gus", "gus's password");
    const { token } = (await (await post("/v1/tokens", { name: "gus-script", role: "admin" }, { cookie, origin: server.url })).json()) as { token: string };
    expect((await fetch(`${server.url}/v1/users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await post("/v1/users/gus", { role: "auditor" }, server.auth, "PATCH")).status).toBe(200);
    expect((await fetch(`${server.url}/v1/users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});

describe("the audit log", () => {
  withOwnServer();

  test("holds logins, account and token changes with Teleport's names and codes", async () => {
    await createUser("hana", "hana's password");
    await login("hana", "not hana's password", { "user-agent": "audit-test/1" });
    await cookieOf("hana", "hana's password");
    await post("/v1/users/hana/password", { password: "hana's new password" });
    const made = (await (await post("/v1/tokens", { name: "audit-agent", role: "agent" })).json()) as { id: string };
    expect((await fetch(`${server.url}/v1/tokens/${made.id}`, { method: "DELETE", headers: server.auth })).status).toBe(204);

    const created = (await audit("user.create")).find((e) => e.name === "hana")!;
    expect(created).toMatchObject({ code: "T1002I", user: "admin", roles: ["user"] });
    const logins = (await audit("user.login")).filter((e) => e.user === "hana");
    const failure = logins.find((e) => e.success === false)!;
    expect(failure).toMatchObject({ code: "T1000W", method: "local", error: "wrong password", user_agent: "audit-test/1" });
    expect(failure["addr.remote"]).toBe("127.0.0.1");
    expect(logins.find((e) => e.success === true)).toMatchObject({ code: "T1000I", method: "local" });
    expect((await audit("user.password_change")).find((e) => e.name === "hana")).toMatchObject({ code: "T1005I", user: "admin", sessions_ended: 1 });
    expect((await audit("token.create")).find((e) => e.token_id === made.id)).toMatchObject({ code: "DR1001I", name: "audit-agent", roles: ["agent"] });
    expect((await audit("token.delete")).find((e) => e.token_id === made.id)).toMatchObject({ code: "DR1002I", reason: "revoked" });
    // No secret ever reaches the log.
    const all = JSON.stringify(await audit("user.login")) + JSON.stringify(await audit("token.create"));
    expect(all).not.toContain("hana's password");
    expect(all).not.toContain("drt_");
  });
});
