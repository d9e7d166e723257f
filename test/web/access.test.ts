// Nobody sees what they should not: a `user` cannot list, open, play, watch or download another user's session by
// any URL (API or page), and anonymous requests get 401 (API) or the login page (pages) everywhere.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, importRecording, loginCookie, sampleProtostream, startTestServer, type TestServer } from "./fixture.ts";

let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let aliceId: string;
let bobId: string;
let bobCookie: string;

const recordingPaths = (id: string) => [
  `/v1/recordings/${id}`,
  `/v1/recordings/${id}/video.mp4`,
  `/v1/recordings/${id}/video.mp4?download=1`,
  `/v1/recordings/${id}/recording.tar`,
  `/v1/recordings/${id}/thumbnail.png`,
];

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "alice", "alice password", "user");
  await createUser(ts, "bob", "bob password", "user");
  aliceId = await importRecording(ts, await sampleProtostream({ sessionId: crypto.randomUUID(), user: "alice", desktopName: "WIN-ALICE" }));
  bobId = await importRecording(ts, await sampleProtostream({ sessionId: crypto.randomUUID(), user: "bob", desktopName: "WIN-BOB" }));
  bobCookie = await loginCookie(ts, "bob", "bob password");
  browser = await launchBrowser();
  page = await browser.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await ts?.stop();
});

/** Open a WebSocket and report how it ended: the first text message, or the close/error. */
function tryWebSocket(url: string, headers: Record<string, string>): Promise<{ opened: boolean; binary: number; text: string | null; code: number | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers } as unknown as string[]);
    ws.binaryType = "arraybuffer";
    const result = { opened: false, binary: 0, text: null as string | null, code: null as number | null };
    const timer = setTimeout(() => {
      ws.close();
      resolve(result);
    }, 3000);
    ws.addEventListener("open", () => (result.opened = true));
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string") result.text ??= e.data;
      else result.binary++;
    });
    ws.addEventListener("close", (e) => {
      clearTimeout(timer);
      result.code = e.code;
      resolve(result);
    });
    ws.addEventListener("error", () => undefined);
  });
}

describe("a user and someone else's session", () => {
  test("the API never lists, shows, streams or serves it, whatever the filters say", async () => {
    const list = (await (await api(ts, "/v1/recordings", { cookie: bobCookie })).json()) as { items: Array<{ id: string }> };
    expect(list.items.map((i) => i.id)).toEqual([bobId]);
    for (const query of ["?user=alice", `?q=${aliceId}`, "?desktop=WIN-ALICE", "?participant=alice", "?limit=500"]) {
      const page = (await (await api(ts, `/v1/recordings${query}`, { cookie: bobCookie })).json()) as { items: Array<{ id: string }> };
      expect(page.items.map((i) => i.id)).not.toContain(aliceId);
    }
    for (const path of recordingPaths(aliceId)) {
      const res = await api(ts, path, { cookie: bobCookie, headers: { range: "bytes=0-100" } });
      expect([403, 404]).toContain(res.status);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(((await res.json()) as { error: string }).error).toBeString();
    }
    // Their own recording works with the same cookie: the refusals are about ownership, not a broken login.
    for (const path of recordingPaths(bobId)) expect((await api(ts, path, { cookie: bobCookie })).status).toBeLessThan(300);
  });

  test("the live socket refuses to stream it", async () => {
    const wsUrl = ts.url.replace("http", "ws") + `/v1/recordings/${aliceId}/live`;
    const result = await tryWebSocket(wsUrl, { cookie: bobCookie });
    expect(result.binary).toBe(0);
    expect(result.opened).toBe(false);
  });

  test("the player page shows no video and says it may not be viewed", async () => {
    await logInThroughPage(page, ts.url, "bob", "bob password");
    // Requests for the recording's video, file, thumbnail or live stream (not its details or the page itself).
    const media: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes(`/v1/recordings/${aliceId}/`)) media.push(r.url());
    });
    await page.goto(`${ts.url}/recordings/${aliceId}?t=5`);
    await page.waitForSelector("#page-error:not([hidden])");
    expect(await page.textContent("#page-error")).toContain("may not view");
    expect(await page.isVisible("#video")).toBe(false);
    const src = await page.evaluate(() => document.querySelector<HTMLVideoElement>("#video")!.currentSrc);
    expect(src).toBe("");
    expect(media).toEqual([]);

    await page.goto(`${ts.url}/`);
    await page.waitForSelector("#recordings-body tr[data-id]");
    expect(await page.$$eval("#recordings-body tr[data-id]", (rows) => rows.map((r) => r.getAttribute("data-id")))).toEqual([bobId]);
  });
});

describe("anonymous", () => {
  test("every API route answers 401 JSON", async () => {
    const paths = ["/v1/recordings", "/v1/auth/me", "/v1/users", "/v1/audit/events", ...recordingPaths(aliceId)];
    for (const path of paths) {
      const res = await api(ts, path);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBeString();
    }
    const bad = await api(ts, "/v1/recordings", { token: "not-a-token" });
    expect(bad.status).toBe(401);
    for (const [method, path] of [["POST", "/v1/users"], ["POST", "/v1/tokens"], ["POST", "/v1/recordings/import"]]) {
      expect((await api(ts, path, { method, body: "{}" })).status).toBe(401);
    }
  });

  test("the live socket and the ingest socket refuse", async () => {
    const base = ts.url.replace("http", "ws");
    const live = await tryWebSocket(`${base}/v1/recordings/${bobId}/live`, {});
    expect(live.binary).toBe(0);
    expect(live.opened).toBe(false);
    const ingest = await tryWebSocket(`${base}/v1/ingest/desktop?desktop=x&user=mallory&login=x`, {});
    expect(ingest.opened).toBe(false);
  });

  test("pages send the browser to log in, and come back after", async () => {
    await browser.context.clearCookies();
    const anonymous = await browser.newPage();
    await anonymous.goto(`${ts.url}/recordings/${bobId}?t=12`);
    expect(new URL(anonymous.url()).pathname).toBe("/login");
    expect(new URL(anonymous.url()).searchParams.get("next")).toBe(`/recordings/${bobId}?t=12`);
    await anonymous.fill("#login-username", "bob");
    await anonymous.fill("#login-password", "wrong password");
    await anonymous.click("#login-submit");
    await anonymous.waitForSelector("#login-error:not([hidden])");
    await anonymous.fill("#login-password", "bob password");
    await Promise.all([anonymous.waitForURL(`${ts.url}/recordings/${bobId}?t=12`), anonymous.click("#login-submit")]);
    await anonymous.close();
  });
});
