// The live wall against a real server in Chromium: two desktop sessions stream the sample capture in real time
// through the ingest socket; the wall shows both as labelled LIVE tiles whose videos advance, keeps to the
// playing-video limit (the rest as thumbnails), shows a user only their own sessions, opens the player on click,
// and drops a tile once its session ends.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { TdpcapRecord } from "../../src/tdp/tdpcap.ts";
import { sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, startTestServer, type TestServer } from "./fixture.ts";

interface LiveSession {
  id: string;
  client: IngestClient;
  stop(): Promise<void>;
}

let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let alice: LiveSession;
let bob: LiveSession;

/** Streams the sample capture in real time until stopped (or the capture ends), then closes the socket. */
async function startSession(token: string, user: string, desktop: string, records: readonly TdpcapRecord[]): Promise<LiveSession> {
  const id = crypto.randomUUID();
  const client = await IngestClient.connect(ts.url, token, { desktop, user, session_id: id });
  let stopped = false;
  // The sample is replayed in a loop until stopped: the session stays live however long the tests take
  // (the sample lasts 45 s; on a loaded machine this file takes longer).
  const lapMs = (records.at(-1)?.delayMs ?? 0) + 100;
  const done = (async () => {
    const t0 = performance.now();
    for (let lap = 0; !stopped; lap++) {
      for (const r of records) {
        const due = lap * lapMs + r.delayMs - (performance.now() - t0);
        if (due > 2) await Bun.sleep(due);
        if (stopped) break;
        client.send(r.data);
      }
    }
    await client.close();
  })();
  return { id, client, stop: async () => { stopped = true; await done; } };
}

const tile = (id: string) => `#wall li.tile[data-id="${id}"]`;

/**
 * The tile's video time now, and once it has advanced by `by` seconds (or after `timeoutMs`). A live video
 * holds its newest frame while no new one comes (an idle desktop, an encoder behind on a loaded machine):
 * Chromium does not play past it, so the time moves in steps as frames arrive, not at a steady rate.
 */
async function videoAdvances(p: Page, id: string, by: number, timeoutMs = 15_000): Promise<{ before: number; after: number; width: number; state: string }> {
  const read = () => p.evaluate((sel) => {
    const v = document.querySelector<HTMLVideoElement>(`${sel} video`);
    if (!v) return { t: -1, width: 0, state: "no video" };
    const ranges = Array.from({ length: v.buffered.length }, (_, i) => `${v.buffered.start(i).toFixed(2)}-${v.buffered.end(i).toFixed(2)}`);
    const state = `paused=${v.paused} readyState=${v.readyState} networkState=${v.networkState} error=${v.error?.message ?? null} buffered=[${ranges.join(",")}]`;
    return { t: v.currentTime, width: v.videoWidth, state };
  }, tile(id));
  const before = (await read()).t;
  await p.waitForFunction(([sel, t]) => (document.querySelector<HTMLVideoElement>(`${sel} video`)?.currentTime ?? -1) > (t as number), [tile(id), before + by] as const, { timeout: timeoutMs, polling: 100 }).catch(() => undefined);
  const after = await read();
  return { before, after: after.t, width: after.width, state: `t ${before} → ${after.t}, ${after.state}` };
}

beforeAll(async () => {
  ts = await startTestServer({ DESKREEL_VIDEO_WORKERS: "2" });
  await createUser(ts, "olga", "olga password", "auditor");
  await createUser(ts, "alice", "alice password", "user");
  const res = await api(ts, "/v1/tokens", {
    method: "POST", token: ts.adminToken, headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "agent", role: "agent" }),
  });
  const { token } = (await res.json()) as { token: string };
  const records = sampleUntil(45_000);
  alice = await startSession(token, "alice", "WIN-FINANCE-02", records);
  bob = await startSession(token, "bob", "WIN-BUILD-17", records);
  browser = await launchBrowser();
  page = await browser.newPage();
  await logInThroughPage(page, ts.url, "olga", "olga password");
}, 60_000);

afterAll(async () => {
  await Promise.all([alice?.stop(), bob?.stop()]);
  await browser?.close();
  await ts?.stop();
});

describe("live wall", () => {
  test("shows both live sessions as labelled LIVE tiles", async () => {
    await Promise.all([page.waitForURL("**/live"), page.click('.topnav a[href="/live"]')]);
    await page.waitForSelector(tile(alice.id), { timeout: 15_000 });
    await page.waitForSelector(tile(bob.id), { timeout: 15_000 });
    const text = await page.textContent(tile(alice.id));
    expect(text).toContain("LIVE");
    expect(text).toContain("WIN-FINANCE-02");
    expect(text).toContain("alice");
    expect(await page.textContent(tile(bob.id))).toContain("WIN-BUILD-17");
    expect(await page.locator("#wall li.tile").count()).toBe(2);
    expect(await page.textContent("#wall-summary")).toContain("2 live sessions");
    expect(await page.getAttribute(`${tile(alice.id)} a`, "href")).toBe(`/recordings/${alice.id}`);
    // The running time counts up on its own.
    const d1 = await page.textContent(`${tile(alice.id)} .tile-duration`);
    await page.waitForFunction(([sel, was]) => document.querySelector(`${sel} .tile-duration`)!.textContent !== was, [tile(alice.id), d1] as const);
  }, 30_000);

  test("both tiles play their live video and new frames keep arriving", async () => {
    for (const s of [alice, bob]) {
      await page.waitForSelector(`${tile(s.id)}.has-video`, { timeout: 20_000 });
      const { before, after, width, state } = await videoAdvances(page, s.id, 1.5);
      expect(width).toBe(1280);
      if (after - before <= 1.5) console.log(`tile ${s.id} did not advance: ${state}`);
      expect(after - before).toBeGreaterThan(1.5);
    }
    // Near the session's real time: the wall is live, not replaying from the start.
    const rec = (await (await api(ts, `/v1/recordings/${alice.id}`, { token: ts.adminToken })).json()) as { start: string };
    const t = await page.evaluate((sel) => document.querySelector<HTMLVideoElement>(`${sel} video`)!.currentTime, tile(alice.id));
    const behind = (Date.now() - Date.parse(rec.start)) / 1000 - t;
    expect(behind).toBeLessThan(6);
    // The picture itself changes (the sample's screen changes within a few seconds).
    const frame = () => page.evaluate((sel) => {
      const v = document.querySelector<HTMLVideoElement>(`${sel} video`)!;
      const c = document.createElement("canvas");
      c.width = 160;
      c.height = 90;
      const g = c.getContext("2d")!;
      g.drawImage(v, 0, 0, 160, 90);
      return Array.from(g.getImageData(0, 0, 160, 90).data);
    }, tile(alice.id));
    const first = await frame();
    await page.waitForFunction(([sel, a]) => {
      const v = document.querySelector<HTMLVideoElement>(`${sel} video`)!;
      const c = document.createElement("canvas");
      c.width = 160;
      c.height = 90;
      const g = c.getContext("2d")!;
      g.drawImage(v, 0, 0, 160, 90);
      const d = g.getImageData(0, 0, 160, 90).data;
      let diff = 0;
      for (let i = 0; i < d.length; i++) diff += Math.abs(d[i] - (a as number[])[i]);
      return diff / d.length > 1;
    }, [tile(alice.id), first] as const, { timeout: 15_000, polling: 250 });
  }, 60_000);

  test("plays at most the given number of videos; the rest are thumbnails", async () => {
    const other = await browser.newPage();
    try {
      await other.goto(`${ts.url}/live?playing=1`);
      await other.waitForSelector(`${tile(alice.id)}`);
      await other.waitForSelector(`${tile(bob.id)}`);
      await other.waitForSelector("#wall li.tile.has-video", { timeout: 20_000 });
      // Slots are given on every poll from the whole list: once the summary counts both sessions, the choice is made.
      await other.waitForFunction(() => /2 live sessions · 1 playing video/.test(document.getElementById("wall-summary")?.textContent ?? ""), null, { timeout: 15_000 });
      expect(await other.locator("#wall video").count()).toBe(1);
      expect(await other.locator('#wall li.tile[data-playing="true"]').count()).toBe(1);
      const still = other.locator('#wall li.tile[data-playing="false"] img.tile-thumb');
      expect(await still.count()).toBe(1);
      await other.waitForFunction(() => {
        const img = document.querySelector<HTMLImageElement>('#wall li.tile[data-playing="false"] img.tile-thumb');
        return img !== null && img.complete && img.naturalWidth > 0;
      }, null, { timeout: 15_000 });
      // Thumbnails are refreshed: a newer picture URL replaces the old one.
      const src = await still.getAttribute("src");
      await other.waitForFunction((was) => document.querySelector<HTMLImageElement>('#wall li.tile[data-playing="false"] img.tile-thumb')!.getAttribute("src") !== was, src, { timeout: 15_000 });
      expect(await other.textContent("#wall-summary")).toContain("1 playing video");
    } finally {
      await other.close();
    }
  }, 60_000);

  test("a user sees only their own live sessions", async () => {
    const other = await launchBrowser();
    try {
      const p = await other.newPage();
      await logInThroughPage(p, ts.url, "alice", "alice password", "/live");
      // A poll's answer, as the page got it: only alice's session (tiles are built from whole answers, so the one
      // that brought her tile already had bob left out), and the wall shows just her tile.
      const nextPoll = p.waitForResponse((r) => r.url().includes("/v1/recordings?") && r.url().includes("status=live"), { timeout: 15_000 });
      await p.waitForSelector(tile(alice.id), { timeout: 15_000 });
      const answer = (await (await nextPoll).json()) as { items: Array<{ id: string }> };
      expect(answer.items.map((i) => i.id)).toEqual([alice.id]);
      expect(await p.locator("#wall li.tile").count()).toBe(1);
      expect(await p.locator(tile(bob.id)).count()).toBe(0);
    } finally {
      await other.close();
    }
  }, 60_000);

  test("clicking a tile opens the player", async () => {
    const other = await browser.newPage();
    try {
      await other.goto(`${ts.url}/live`);
      await other.waitForSelector(tile(bob.id));
      await Promise.all([other.waitForURL(`**/recordings/${bob.id}`), other.click(`${tile(bob.id)} .tile-desktop`)]);
      await other.waitForFunction(() => document.getElementById("title-text")?.textContent === "WIN-BUILD-17");
    } finally {
      await other.close();
    }
  }, 30_000);

  test("a tile disappears when its session ends; the other keeps playing", async () => {
    await bob.stop();
    await page.waitForSelector(tile(bob.id), { state: "detached", timeout: 15_000 });
    expect(await page.locator("#wall li.tile").count()).toBe(1);
    const { before, after } = await videoAdvances(page, alice.id, 1);
    expect(after - before).toBeGreaterThan(1);
    expect(await page.textContent("#wall-summary")).toContain("1 live session");
  }, 30_000);
});
