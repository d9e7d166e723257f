// Watching a live session in the browser: the sample capture (first 30 s) replayed in real time into the ingest
// socket by the demo agent. The list shows it LIVE; the player plays it through MediaSource a little behind real
// time with the recorded pictures; scrubbing back shows earlier moments; "go live" returns; when the session
// ends the page continues with the finished MP4 without a reload.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { runDemoAgent } from "../../tools/demo/agent.ts";
import { readTdpcap, writeTdpcap } from "../../src/tdp/tdpcap.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, SAMPLE_CAPTURE, SAMPLE_TRUTH_DIR, startTestServer, type TestServer } from "./fixture.ts";
import { framePsnr, waitForFrame } from "./frameCheck.ts";

const MIN_PSNR = 30;
const CAPTURE_MS = 30_000;
let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let agent: Promise<unknown>;
/** The player's time when the previous test left it live, in case the session ends before the next test looks. */
let lastSeenLiveTime = 0;
const abort = new AbortController();
const sessionId = crypto.randomUUID();

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "alice", "alice password", "user");
  const tokenRes = await api(ts, "/v1/tokens", {
    method: "POST", token: ts.adminToken, headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "desktop-agent", role: "agent" }),
  });
  const { token } = (await tokenRes.json()) as { token: string };
  const capturePath = join(ts.dataDir, "first-30s.tdpcap");
  const records = readTdpcap(await Bun.file(SAMPLE_CAPTURE).bytes()).filter((r) => r.delayMs <= CAPTURE_MS);
  await Bun.write(capturePath, writeTdpcap(records));
  browser = await launchBrowser();
  page = await browser.newPage();
  await logInThroughPage(page, ts.url, "alice", "alice password");
  agent = runDemoAgent({
    server: ts.url, token, desktop: "WIN-LIVE", user: "alice", login: "Administrator", sessionId,
    width: 1280, height: 720, durationS: 30, seed: 1, realtime: true, capture: capturePath, signal: abort.signal, log: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  abort.abort();
  await agent?.catch(() => undefined);
  await browser?.close();
  await ts?.stop();
});

/** What the player was doing, for failure messages. */
const playerDebug = (p: Page) => p.evaluate(() => {
  const v = document.querySelector<HTMLVideoElement>("#video")!;
  const b = v.buffered;
  return JSON.stringify({
    ...document.getElementById("player")!.dataset, currentTime: v.currentTime, paused: v.paused, readyState: v.readyState,
    buffered: b.length ? [b.start(0), b.end(b.length - 1)] : [], error: document.getElementById("stage-message")!.textContent,
    total: document.getElementById("time-total")!.textContent,
  });
});

const dataset = (p: Page) => p.evaluate(() => ({ ...document.getElementById("player")!.dataset }));

/** Wait until the player shows a time inside [from, to), then compare the picture with the truth. */
async function checkPictureWhileLive(p: Page, from: number, to: number, file: string): Promise<void> {
  try {
    await p.waitForFunction(([a]) => Number(document.getElementById("player")!.dataset.time) >= a, [from + 0.3], { timeout: 30_000 });
  } catch (err) {
    console.error("player state:", await playerDebug(p));
    throw err;
  }
  const psnr = await framePsnr(p, join(SAMPLE_TRUTH_DIR, file));
  const t = Number((await dataset(p)).time);
  expect(t).toBeLessThan(to);
  expect(psnr).toBeGreaterThanOrEqual(MIN_PSNR);
}

describe("live session", () => {
  test("appears LIVE in the list and opens in live mode", async () => {
    await page.goto(`${ts.url}/`);
    await page.waitForSelector(`#recordings-body tr[data-id="${sessionId}"] .live-badge`, { timeout: 15_000 });
    await Promise.all([page.waitForURL(`**/recordings/${sessionId}`), page.click(`#recordings-body tr[data-id="${sessionId}"] .row-link`)]);
    await page.evaluate(() => Object.assign(window, { samePage: true }));
    await page.waitForFunction(() => document.getElementById("player")!.dataset.mode === "live" && document.getElementById("player")!.dataset.live === "true", null, { timeout: 15_000 });
    expect(await page.isVisible("#go-live.at-edge")).toBe(true);
  }, 30_000);

  test("new frames arrive and show the recorded screen, a little behind real time", async () => {
    const first = Number((await dataset(page)).time);
    await checkPictureWhileLive(page, 8.1, 9.8, "t8100.png");
    expect(Number((await dataset(page)).time)).toBeGreaterThan(first);
    // How far behind real time: the session started when the agent connected.
    const rec = (await (await api(ts, `/v1/recordings/${sessionId}`, { token: ts.adminToken })).json()) as { start: string };
    const behind = (Date.now() - Date.parse(rec.start)) / 1000 - Number((await dataset(page)).time);
    expect(behind).toBeGreaterThan(0);
    expect(behind).toBeLessThan(5);
  }, 30_000);

  test("scrubbing back shows what already happened; go live returns to the edge", async () => {
    // Far enough into the session that 9 s is well behind the live edge.
    await page.waitForFunction(() => Number(document.getElementById("player")!.dataset.time) >= 14, null, { timeout: 20_000 });
    const box = (await page.locator("#timeline").boundingBox())!;
    const duration = await page.evaluate(() => Number(document.getElementById("timeline")!.getAttribute("aria-valuemax")));
    const at9 = () => page.mouse.click(box.x + (9.0 / duration) * box.width, box.y + box.height / 2);
    await at9();
    await page.waitForFunction(() => document.getElementById("player")!.dataset.mode === "dvr", null, { timeout: 10_000 });
    await page.click("#play"); // pause, to look at the moment
    // It played on while the click travelled (far on a loaded machine): seek there again, paused.
    await at9();
    await waitForFrame(page);
    const t = Number((await dataset(page)).time);
    expect(t).toBeGreaterThanOrEqual(8.1);
    expect(t).toBeLessThan(9.8);
    expect(await framePsnr(page, join(SAMPLE_TRUTH_DIR, "t8100.png"))).toBeGreaterThanOrEqual(MIN_PSNR);
    expect(await page.isVisible("#go-live:not(.at-edge)")).toBe(true);

    await page.click("#go-live");
    await page.waitForFunction(() => document.getElementById("player")!.dataset.mode === "live" && document.getElementById("player")!.dataset.live === "true", null, { timeout: 10_000 });
    expect(Number((await dataset(page)).time)).toBeGreaterThan(14);
    await checkPictureWhileLive(page, 23.6, 26.5, "t23600.png");
    lastSeenLiveTime = Number((await dataset(page)).time);
  }, 40_000);

  test("when the session ends the page continues as a recording, in place", async () => {
    // Follow the live time until the page turns into a recording.
    let lastLiveTime = lastSeenLiveTime;
    const deadline = Date.now() + 40_000;
    for (;;) {
      const d = await dataset(page);
      if (d.mode === "vod") break;
      // live, or scrubbed back (dvr) when a loaded machine made it fall behind: either way "in place"
      if (d.mode === "live" || d.mode === "dvr") lastLiveTime = Number(d.time);
      if (Date.now() > deadline) throw new Error(`still not a recording: ${await playerDebug(page)}`);
      await Bun.sleep(50);
    }
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
    expect(await page.isVisible("#go-live")).toBe(false);
    const state = await page.evaluate(() => {
      const v = document.querySelector<HTMLVideoElement>("#video")!;
      return { src: v.currentSrc, duration: v.duration, t: v.currentTime };
    });
    expect(state.src).toContain(`/v1/recordings/${sessionId}/video.mp4`);
    expect(state.duration).toBeGreaterThan(CAPTURE_MS / 1000 - 1);
    // Same place as live (it kept playing, so a little later), not back to the start.
    expect(state.t).toBeGreaterThanOrEqual(lastLiveTime - 0.5);
    expect(state.t - lastLiveTime).toBeLessThan(2);
    // The finished video seeks exactly, back into the session.
    // Pause (it may already be paused: a session followed to its very end stays at the end).
    if ((await dataset(page)).state === "playing") await page.click("#play");
    const box = (await page.locator("#timeline").boundingBox())!;
    await page.mouse.click(box.x + (9.0 / state.duration) * box.width, box.y + box.height / 2);
    await waitForFrame(page);
    const t = Number((await dataset(page)).time);
    expect(t).toBeGreaterThanOrEqual(8.1);
    expect(t).toBeLessThan(9.8);
    expect(await framePsnr(page, join(SAMPLE_TRUTH_DIR, "t8100.png"))).toBeGreaterThanOrEqual(MIN_PSNR);
  }, 40_000);
});
