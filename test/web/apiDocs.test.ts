// The API reference page (/docs/api) in Chromium: drawn from /v1/openapi.json under the pages' strict CSP (no
// violation, no request leaves the server), one section per documented operation, parameters and answers shown.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, startTestServer, type TestServer } from "./fixture.ts";

let ts: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "reader", "reader password", "user");
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ts?.stop();
});

describe("API reference page", () => {
  test("needs a login like every page", async () => {
    const anon = await api(ts, "/docs/api");
    expect(anon.status).toBe(302);
    expect(anon.headers.get("location")).toBe("/login?next=%2Fdocs%2Fapi");
  });

  test("renders every operation of the document, with no CSP violation and nothing fetched from elsewhere", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith(ts.url) && !r.url().startsWith("data:")) foreign.push(r.url());
    });
    await logInThroughPage(page, ts.url, "reader", "reader password");
    await Promise.all([page.waitForURL("**/docs/api"), page.click('.topnav a[href="/docs/api"]')]);
    await page.waitForSelector(".api-op");

    const doc = (await (await api(ts, "/v1/openapi.json", { cookie: await page.context().cookies().then((c) => c.map((x) => `${x.name}=${x.value}`).join("; ")) })).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(await page.locator(".api-op").count()).toBe(operations);
    expect(await page.locator(".api-toc a").count()).toBe(operations);

    // The recordings list: its query parameters and its answer's shape.
    const list = page.locator("#get-v1-recordings");
    expect(await list.locator("h3").textContent()).toContain("/v1/recordings");
    const listText = (await list.textContent()) ?? "";
    for (const name of ["kind", "has_marker", "cursor", "limit"]) expect(listText).toContain(name);
    expect(listText).toContain('"desktop" | "ssh"');
    expect(listText).toContain("next: string | null");
    // A WebSocket route is marked as one, with its upgrade.
    const ingest = page.locator("#get-v1-ingest-desktop");
    expect(await ingest.locator(".api-method").first().textContent()).toBe("WS");
    expect(await ingest.textContent()).toContain("101");

    expect(await page.getAttribute('.topnav a[href="/docs/api"]', "aria-current")).toBe("page");
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  }, 60_000);
});
