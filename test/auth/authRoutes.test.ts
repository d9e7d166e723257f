import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthService, type AuthService } from "../../src/auth/authService.ts";
import { canReadAuditLog } from "../../src/auth/principal.ts";
import { authGuard, authRoutes, requirePermission, safeNextPath } from "../../src/http/authRoutes.ts";

const ADMIN_TOKEN = "routes-test-admin-token-0123456789abcdef";
let dir: string;
let auth: AuthService;
let app: { handle(request: Request): Promise<Response> };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "deskreel-auth-routes-"));
  auth = await createAuthService({ dataDir: dir, adminToken: ADMIN_TOKEN, log: () => {} });
  await auth.createUser("alice", "alice password", "user");
  // A module of another feature that relies on the guard, as the server's modules do.
  const auditModule = new Elysia()
    .use(authGuard(auth))
    .get("/v1/audit/events", (ctx) => {
      const p = requirePermission(ctx, canReadAuditLog, "read the audit log");
      return { items: [], who: p.name };
    });
  app = new Elysia().use(authRoutes(auth)).use(auditModule);
});

afterAll(async () => {
  auth.close();
  await rm(dir, { recursive: true, force: true });
});

const base = "http://deskreel.test";

function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(base + path, { headers });
}

async function loginCookie(username: string, password: string): Promise<string> {
  const res = await app.handle(post("/v1/auth/login", { username, password }));
  expect(res.status).toBe(200);
  return res.headers.get("set-cookie")!.split(";")[0];
}

describe("login and me", () => {
  test("JSON login: 200 + cookie, then /me answers who I am; wrong password is 401 JSON", async () => {
    const bad = await app.handle(post("/v1/auth/login", { username: "alice", password: "nope nope" }));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: expect.any(String) });
    expect(bad.headers.get("set-cookie")).toBeNull();

    const cookie = await loginCookie("alice", "alice password");
    const me = await app.handle(get("/v1/auth/me", { cookie }));
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ name: "alice", role: "user", via: "cookie" });
  });

  test("form login from a browser redirects to a same-site next, with the cookie", async () => {
    const form = new URLSearchParams({ username: "alice", password: "alice password", next: "/recordings/abc?t=5" });
    const res = await app.handle(
      new Request(base + "/v1/auth/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
        body: form.toString(),
      }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/recordings/abc?t=5");
    expect(res.headers.get("set-cookie")).toContain("HttpOnly");

    const curlStyle = await app.handle(
      new Request(base + "/v1/auth/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: "alice", password: "alice password" }).toString(),
      }),
    );
    expect(curlStyle.status).toBe(200);
    expect((await curlStyle.json()).name).toBe("alice");
  });

  test("next never leaves the site", () => {
    expect(safeNextPath("//evil.example/x")).toBe("/");
    expect(safeNextPath("/\\evil.example")).toBe("/");
    expect(safeNextPath("https://evil.example")).toBe("/");
    expect(safeNextPath("/recordings/1?t=3")).toBe("/recordings/1?t=3");
  });

  test("anonymous /me is 401 JSON; logout clears the cookie and ends the session", async () => {
    const anon = await app.handle(get("/v1/auth/me"));
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({ error: expect.any(String) });

    const cookie = await loginCookie("alice", "alice password");
    const out = await app.handle(new Request(base + "/v1/auth/logout", { method: "POST", headers: { cookie } }));
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await app.handle(get("/v1/auth/me", { cookie }))).status).toBe(401);
  });

  test("a cookie on a cross-site POST does not count", async () => {
    const cookie = await loginCookie("alice", "alice password");
    const res = await app.handle(
      new Request(base + "/v1/users", {
        method: "POST",
        headers: { cookie, origin: "http://evil.example", "content-type": "application/json" },
        body: JSON.stringify({ name: "mallory", password: "mallory password", role: "admin" }),
      }),
    );
    expect(res.status).toBe(401);
  });
});

describe("admin-only account routes", () => {
  test("a user gets 403, anonymous 401, the admin token creates users and tokens", async () => {
    const cookie = await loginCookie("alice", "alice password");
    expect((await app.handle(get("/v1/users", { cookie }))).status).toBe(403);
    expect((await app.handle(get("/v1/users"))).status).toBe(401);
    const denied = await app.handle(post("/v1/tokens", { name: "x" }, { cookie }));
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: expect.any(String) });

    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const created = await app.handle(post("/v1/users", { name: "olga", password: "olga password", role: "auditor" }, admin));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: "olga", role: "auditor" });
    expect((await app.handle(post("/v1/users", { name: "olga", password: "olga password" }, admin))).status).toBe(409);
    expect((await app.handle(post("/v1/users", { name: "bad name", password: "olga password" }, admin))).status).toBe(400);

    const list = await (await app.handle(get("/v1/users", admin))).json();
    expect(list.items.map((u: { name: string }) => u.name)).toContain("olga");

    const tokenRes = await app.handle(post("/v1/tokens", { name: "agent-7" }, admin));
    expect(tokenRes.status).toBe(201);
    const { token, role, id } = await tokenRes.json();
    expect(role).toBe("agent");
    const me = await (await app.handle(get("/v1/auth/me", { authorization: `Bearer ${token}` }))).json();
    expect(me).toEqual({ name: "agent-7", role: "agent", via: "token" });

    expect((await app.handle(new Request(base + `/v1/tokens/${id}`, { method: "DELETE", headers: admin }))).status).toBe(204);
    expect((await app.handle(get("/v1/auth/me", { authorization: `Bearer ${token}` }))).status).toBe(401);
  });

  test("the guard serves other modules: auditor allowed, user forbidden, anonymous unauthenticated", async () => {
    const auditor = await loginCookie("olga", "olga password");
    const ok = await app.handle(get("/v1/audit/events", { cookie: auditor }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ items: [], who: "olga" });
    const user = await loginCookie("alice", "alice password");
    expect((await app.handle(get("/v1/audit/events", { cookie: user }))).status).toBe(403);
    const anon = await app.handle(get("/v1/audit/events"));
    expect(anon.status).toBe(401);
    expect(anon.headers.get("content-type")).toContain("application/json");
  });
});
