// In a real browser: an admin is logged in to deskreel, and a page on another port of the same host (another
// origin, but the same site, so Chromium sends the cookie) tries to watch a live session and to feed a forged
// session in through the admin's cookie. Both sockets are refused; the same script on deskreel's own page works.
// The login page tells a throttled person how long to wait.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { sampleRecords } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, startTestServer, type TestServer } from "./fixture.ts";

let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let agent: IngestClient;
let attacker: ReturnType<typeof Bun.serve>;
const liveId = `cross-origin-${crypto.randomUUID()}`;

interface SocketOutcome {
  opened: boolean;
  messages: string[];
  closeCode: number | null;
}

/** Runs in the page: opens a WebSocket and reports what happened within a few seconds. */
function probe(url: string): Promise<SocketOutcome> {
  return new Promise((resolve) => {
    const out: SocketOutcome = { opened: false, messages: [], closeCode: null };
    const ws = new WebSocket(url);
    ws.onopen = () => (out.opened = true);
    ws.onmessage = (e) => typeof e.data === "string" && out.messages.push(e.data);
    ws.onclose = (e) => {
      out.closeCode = e.code;
      resolve(out);
    };
    setTimeout(() => (ws.close(), resolve(out)), 4000);
  });
}

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "boss", "boss password", "admin");
  const made = await api(ts, "/v1/tokens", {
    method: "POST", token: ts.adminToken, headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "agent", role: "agent" }),
  });
  const { token } = (await made.json()) as { token: string };
  agent = await IngestClient.connect(ts.url, token, { desktop: "WIN-SECRET", user: "alice", session_id: liveId });
  await agent.replay(sampleRecords().slice(0, 40));
  attacker = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response("<!doctype html><title>elsewhere</title><p>another app on this host</p>", { headers: { "content-type": "text/html" } }),
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await logInThroughPage(page, ts.url, "boss", "boss password");
}, 90_000);

afterAll(async () => {
  await agent?.close();
  attacker?.stop(true);
  await browser?.close();
  await ts?.stop();
});

describe("a page of another origin with the admin's cookie", () => {
  test("cannot watch the live session, and cannot open an ingest socket", async () => {
    const ws = ts.url.replace(/^http/, "ws");
    await page.goto(`http://127.0.0.1:${attacker.port}/`);
    const live = await page.evaluate(probe, `${ws}/v1/recordings/${liveId}/live`);
    expect(live.opened).toBe(false);
    expect(live.messages).toEqual([]);
    const ingest = await page.evaluate(probe, `${ws}/v1/ingest/desktop?desktop=WIN-FORGED&user=mallory&login=Administrator`);
    expect(ingest.opened).toBe(false);
    const forged = await api(ts, "/v1/recordings?user=mallory", { token: ts.adminToken });
    expect(((await forged.json()) as { items: unknown[] }).items).toEqual([]);
  }, 30_000);

  test("the same script on deskreel's own page watches the session (the cookie is good)", async () => {
    await page.goto(`${ts.url}/`);
    const live = await page.evaluate(probe, `${ts.url.replace(/^http/, "ws")}/v1/recordings/${liveId}/live`);
    expect(live.opened).toBe(true);
    expect(JSON.parse(live.messages[0]).type).toBe("init");
  }, 30_000);
});

describe("the login page", () => {
  test("says how long to wait after too many failures", async () => {
    // Logged out (the login page sends a logged-in browser on).
    await browser.context.clearCookies();
    const fresh = await browser.newPage();
    await createUser(ts, "typist", "typist password", "user");
    await fresh.goto(`${ts.url}/login`);
    let message = "";
    for (let i = 0; i < 6 && !message.includes("Too many"); i++) {
      await fresh.fill("#login-username", "typist");
      await fresh.fill("#login-password", `wrong ${i}`);
      await fresh.click("#login-submit");
      await fresh.waitForFunction(() => !document.querySelector<HTMLButtonElement>("#login-submit")!.disabled);
      message = (await fresh.textContent("#login-error")) ?? "";
    }
    expect(message).toMatch(/^Too many failed logins\. Try again in \d+ s\.$/);
    await fresh.close();
  }, 60_000);
});
