// The pages module in-process: who gets a page, who is sent to log in, and that the bundled assets are served.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthService, type AuthService } from "../../src/auth/authService.ts";
import { authRoutes } from "../../src/http/authRoutes.ts";
import { pages } from "../../src/http/pages.ts";

let dir: string;
let auth: AuthService;
let app: { handle(request: Request): Promise<Response> };
let cookie: string;
const base = "http://deskreel.test";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "deskreel-pages-"));
  auth = await createAuthService({ dataDir: dir, adminToken: "pages-test-admin-token", log: () => {} });
  await auth.createUser("vera", "vera password", "user");
  app = new Elysia().use(authRoutes(auth)).use(pages(auth));
  cookie = (await auth.login("vera", "vera password"))!.cookie.split(";")[0];
});

afterAll(async () => {
  auth.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => app.handle(new Request(base + path, { headers }));

describe("pages", () => {
  test("an anonymous browser is sent to the login page with where it wanted to go", async () => {
    for (const path of ["/", "/recordings/abc-123?t=12.5", "/?user=alice&range=24h"]) {
      const res = await get(path);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  test("the login page is public and its assets load", async () => {
    const res = await get("/login?next=%2F");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="login-form"');
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(3); // favicon, stylesheet, script
    for (const asset of assets) {
      const a = await get(asset);
      expect(a.status).toBe(200);
      expect((await a.arrayBuffer()).byteLength).toBeGreaterThan(100);
      if (asset.endsWith(".js")) expect(a.headers.get("content-type")).toContain("javascript");
    }
    // No CDN: every script and stylesheet comes from this server.
    expect(html).not.toMatch(/(?:src|href)="https?:/);
  });

  test("a logged-in user gets the recordings and player pages with who they are", async () => {
    for (const path of ["/", "/recordings/some-id?t=3"]) {
      const res = await get(path, { cookie });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('"name":"vera"');
      expect(html).toContain('"role":"user"');
    }
    const login = await get("/login?next=%2Frecordings%2Fx", { cookie });
    expect(login.status).toBe(302);
    expect(login.headers.get("location")).toBe("/recordings/x");
  });

  test("user-controlled text cannot break out of the boot script", async () => {
    const res = await get("/recordings/%3C%2Fscript%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", { cookie });
    const html = await res.text();
    expect(html).not.toContain("<script>alert(1)");
  });

  test("an ingest agent's token gets no pages; unknown assets are 404", async () => {
    const token = await auth.createToken("agent-9", "agent");
    expect((await get("/", { authorization: `Bearer ${token}` })).status).toBe(403);
    expect((await get("/assets/nope.js")).status).toBe(404);
    expect((await get("/assets/..%2F..%2Fpackage.json")).status).toBe(404);
  });

  test("assets are cacheable forever under content-hashed names and answer If-None-Match", async () => {
    const html = await (await get("/login")).text();
    const script = /src="(\/assets\/login-[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const first = await get(script!);
    expect(first.headers.get("cache-control")).toContain("immutable");
    const etag = first.headers.get("etag")!;
    expect((await get(script!, { "if-none-match": etag })).status).toBe(304);
  });
});
