// The pages module in-process: who gets a page, who is sent to log in, and that the bundled assets are served.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthService, type AuthService } from "../../src/auth/authService.ts";
import { authRoutes } from "../../src/http/authRoutes.ts";
import { pages } from "../../src/http/pages.ts";
import type { NewRecording } from "../../src/catalog/types.ts";
import type { Page } from "playwright-core";
import { chromiumAvailable, launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, startTestServer, type TestServer } from "./fixture.ts";

let dir: string;
let auth: AuthService;
let app: { handle(request: Request): Promise<Response> };
let cookie: string;
const base = "http://deskreel.test";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "deskreel-pages-"));
  auth = await createAuthService({ dataDir: dir, adminToken: "pages-test-admin-token-0123456789abcdef", log: () => {} });
  await auth.createUser("vera", "vera password", "user");
  app = new Elysia().use(authRoutes(auth)).use(pages(auth));
  const login = await auth.login("vera", "vera password");
  if (!login.ok) throw new Error("vera could not log in");
  cookie = login.cookie.split(";")[0];
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

// 120 recordings, more than two pages of 50: the order must be the catalog's, not that of the rows loaded.
describe.skipIf(!chromiumAvailable())("the recordings list sorts on the server", () => {
  let ts: TestServer;
  let browser: TestBrowser;
  let page: Page;
  const rows: NewRecording[] = [];
  const START = Date.parse("2026-02-01T00:00:00Z");

  beforeAll(async () => {
    ts = await startTestServer();
    for (let i = 0; i < 120; i++) {
      // Duration is a permutation unrelated to start, and users repeat, so every order differs.
      const durationMs = 1000 * (1 + ((i * 53) % 120));
      const startMs = START + i * 60_000;
      rows.push({ id: `sort-${String(i).padStart(3, "0")}`, kind: "desktop", user: `user-${String((i * 7) % 13).padStart(2, "0")}`, desktopName: `desk-${i % 5}`, startMs, endMs: startMs + durationMs, durationMs, status: "complete" });
    }
    await ts.server.services.catalog.createRecordings(rows);
    await createUser(ts, "sorter", "sorter password", "auditor");
    browser = await launchBrowser();
    page = await browser.newPage();
    await logInThroughPage(page, ts.url, "sorter", "sorter password");
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ts?.stop();
  });

  const ordered = (key: (r: NewRecording) => number | string, descending: boolean): string[] => {
    const up = [...rows].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : 1;
    });
    return (descending ? up.reverse() : up).map((r) => r.id);
  };
  const byDuration = (r: NewRecording) => r.durationMs ?? 0;
  const byUser = (r: NewRecording) => r.user;

  const rowIds = () => page.$$eval("#recordings-body tr[data-id]", (trs) => trs.map((tr) => tr.getAttribute("data-id") ?? ""));
  async function waitForRows(count: number): Promise<void> {
    await page.waitForFunction(
      (n) => document.querySelectorAll("#recordings-body tr[data-id]").length === n && !document.querySelector("#recordings[aria-busy]"),
      count,
    );
  }
  async function loadAll(): Promise<string[]> {
    await waitForRows(50);
    await page.click("#load-more");
    await waitForRows(100);
    await page.click("#load-more");
    await waitForRows(120);
    expect(await page.isHidden("#load-more")).toBe(true);
    return rowIds();
  }

  test("via the API: every page in order, and a cursor for another order is refused", async () => {
    for (const [sort, order, expected] of [
      ["duration", "asc", ordered(byDuration, false)],
      ["duration", "desc", ordered(byDuration, true)],
      ["user", "asc", ordered(byUser, false)],
    ] as const) {
      const seen: string[] = [];
      let cursor = "";
      do {
        const res = await api(ts, `/v1/recordings?sort=${sort}&order=${order}&limit=50${cursor ? `&cursor=${cursor}` : ""}`, { token: ts.adminToken });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { items: { id: string }[]; next: string | null };
        seen.push(...body.items.map((i) => i.id));
        cursor = body.next ?? "";
      } while (cursor);
      expect({ sort, order, seen }).toEqual({ sort, order, seen: [...expected] });
    }
    const first = (await (await api(ts, "/v1/recordings?sort=duration&order=asc&limit=10", { token: ts.adminToken })).json()) as { next: string };
    const mixed = await api(ts, `/v1/recordings?sort=duration&order=desc&cursor=${first.next}`, { token: ts.adminToken });
    expect(mixed.status).toBe(400);
    expect(await mixed.text()).toContain("cursor was made for sort=duration order=asc");
    expect((await api(ts, "/v1/recordings?sort=size", { token: ts.adminToken })).status).toBe(400);
    expect((await api(ts, "/v1/recordings?order=up", { token: ts.adminToken })).status).toBe(400);
  });

  test("in the browser: headers sort the whole list, load more continues in that order, back/forward restore it", async () => {
    await page.goto(`${ts.url}/`);
    await waitForRows(50);
    expect(await rowIds()).toEqual(rows.map((r) => r.id).reverse().slice(0, 50));

    await page.click('button.sort[data-sort="duration"]');
    await page.waitForURL((url) => url.searchParams.get("sort") === "duration" && url.searchParams.get("order") === "desc");
    expect(await page.getAttribute('th:has(button[data-sort="duration"])', "aria-sort")).toBe("descending");
    expect(await loadAll()).toEqual(ordered(byDuration, true));
    expect(await page.textContent("#list-count")).toBe("120 recordings shown");

    await page.click('button.sort[data-sort="duration"]');
    await page.waitForURL((url) => url.searchParams.get("sort") === "duration" && !url.searchParams.has("order"));
    expect(await loadAll()).toEqual(ordered(byDuration, false));

    await page.click('button.sort[data-sort="user"]');
    await page.waitForURL((url) => url.searchParams.get("sort") === "user");
    expect(await loadAll()).toEqual(ordered(byUser, false));

    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get("sort") === "duration" && !url.searchParams.has("order"));
    await waitForRows(50);
    expect(await rowIds()).toEqual(ordered(byDuration, false).slice(0, 50));
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get("order") === "desc");
    await waitForRows(50);
    expect(await rowIds()).toEqual(ordered(byDuration, true).slice(0, 50));
    await page.goForward();
    await page.waitForURL((url) => url.searchParams.get("sort") === "duration" && !url.searchParams.has("order"));
    expect(await loadAll()).toEqual(ordered(byDuration, false));

    // A deep link opens sorted, filters apply within the order.
    await page.goto(`${ts.url}/?user=user-03&sort=duration&order=desc`);
    const mine = ordered(byDuration, true).filter((id) => rows.find((r) => r.id === id)?.user === "user-03");
    await waitForRows(mine.length);
    expect(await rowIds()).toEqual(mine);
    expect(await page.textContent("#list-count")).not.toContain("loaded");
  }, 60_000);
});
