// The web UI against a real server and real recordings (the sample capture imported twice, for two users), in
// Debian's headless Chromium: log in, filter the list, open the player at ?t=, check the exact time and the
// picture against the capture's ground truth, seek, change speed, jump to markers, download the MP4.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import {
  createUser, importRecording, sampleProtostream, SAMPLE_TRUTH_DIR, startTestServer, type TestServer,
} from "./fixture.ts";
import { framePsnr, videoState, waitForFrame } from "./frameCheck.ts";

const MIN_PSNR = 30;
let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let aliceId: string;
let bobId: string;

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "olga", "olga password", "auditor");
  await createUser(ts, "alice", "alice password", "user");
  await createUser(ts, "bob", "bob password", "user");
  aliceId = await importRecording(ts, await sampleProtostream({ sessionId: crypto.randomUUID(), user: "alice", desktopName: "WIN-ALICE" }, Date.now() - 7_200_000));
  bobId = await importRecording(ts, await sampleProtostream({ sessionId: crypto.randomUUID(), user: "bob", desktopName: "WIN-BOB" }, Date.now() - 600_000));
  browser = await launchBrowser();
  page = await browser.newPage();
  await logInThroughPage(page, ts.url, "olga", "olga password");
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await ts?.stop();
});

const rowIds = (p: Page) => p.$$eval("#recordings-body tr[data-id]", (rows) => rows.map((r) => r.getAttribute("data-id")));

async function waitForRows(p: Page, count: number): Promise<void> {
  await p.waitForFunction((n) => document.querySelectorAll("#recordings-body tr[data-id]").length === n && !document.querySelector("#recordings[aria-busy]"), count);
}

/** Click the seek bar at the place of time t and return the time the player went to. */
async function clickTimelineAt(p: Page, t: number, duration: number): Promise<number> {
  const box = (await p.locator("#timeline").boundingBox())!;
  await p.mouse.click(box.x + (t / duration) * box.width, box.y + box.height / 2);
  await waitForFrame(p);
  return (await videoState(p)).currentTime;
}

describe("recordings page", () => {
  test("lists both recordings newest first; search and user filter live in the URL; back restores", async () => {
    await page.goto(`${ts.url}/`);
    await waitForRows(page, 2);
    expect(await rowIds(page)).toEqual([bobId, aliceId]);

    await page.fill("#f-q", "WIN-ALICE");
    await page.waitForURL(/[?&]q=WIN-ALICE/);
    await waitForRows(page, 1);
    expect(await rowIds(page)).toEqual([aliceId]);

    await page.fill("#f-q", "");
    await page.fill("#f-user", "bob");
    await page.waitForURL((url) => url.searchParams.get("user") === "bob" && !url.searchParams.has("q"));
    await waitForRows(page, 1);
    expect(await rowIds(page)).toEqual([bobId]);

    await page.selectOption("#f-range", "1h");
    await page.waitForURL(/range=1h/);
    await waitForRows(page, 1);
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get("user") === "bob" && !url.searchParams.has("range"));
    expect(await page.inputValue("#f-user")).toBe("bob");
    expect(await page.inputValue("#f-range")).toBe("");

    // A deep link with filters opens already filtered; "active at" finds the session running then.
    const during = new Date(Date.now() - 7_200_000 + 20_000).toISOString();
    await page.goto(`${ts.url}/?range=at&at=${encodeURIComponent(during)}`);
    await waitForRows(page, 1);
    expect(await rowIds(page)).toEqual([aliceId]);

    // Sorting by duration toggles the header's state.
    await page.goto(`${ts.url}/`);
    await waitForRows(page, 2);
    await page.click('button.sort[data-sort="duration"]');
    await page.waitForURL(/sort=duration&order=desc/);
    // the header shows the order once the server's sorted rows are in
    await page.waitForSelector('th[aria-sort="descending"]:has(button[data-sort="duration"])', { timeout: 10_000 });
    expect(await page.getAttribute('th:has(button[data-sort="duration"])', "aria-sort")).toBe("descending");
  });
});

describe("player", () => {
  test("opens at ?t= exactly, paused, showing the recorded screen of that moment", async () => {
    await page.goto(`${ts.url}/recordings/${aliceId}?t=23.6`);
    await waitForFrame(page);
    const state = await videoState(page);
    expect(state.currentTime).toBeCloseTo(23.6, 3);
    expect(state.paused).toBe(true);
    expect([state.width, state.height]).toEqual([1280, 720]);
    expect(await framePsnr(page, join(SAMPLE_TRUTH_DIR, "t23600.png"))).toBeGreaterThanOrEqual(MIN_PSNR);
    // A different moment's picture must not match: the comparison can fail.
    expect(await framePsnr(page, join(SAMPLE_TRUTH_DIR, "t0.png"))).toBeLessThan(MIN_PSNR);
    expect(await page.textContent("#time-current")).toBe("0:23");
  });

  test("seeking on the timeline shows the right pictures, backwards and forwards", async () => {
    const duration = (await videoState(page)).duration;
    expect(duration).toBeCloseTo(45.726, 1);
    // [target, truth picture, its stable range]
    const checks: Array<[number, string, number, number]> = [
      [40.1, "t40100.png", 36.7, 44.1],
      [9.0, "t8100.png", 8.1, 9.8],
      [0.7, "t0.png", 0, 1.5],
      [45.0, "t45700.png", 44.2, 45.726],
      [25.0, "t23600.png", 23.6, 26.5],
    ];
    for (const [target, file, from, to] of checks) {
      const t = await clickTimelineAt(page, target, duration);
      expect(t).toBeGreaterThanOrEqual(from);
      expect(t).toBeLessThan(to);
      expect(await framePsnr(page, join(SAMPLE_TRUTH_DIR, file))).toBeGreaterThanOrEqual(MIN_PSNR);
    }
    // Keyboard: 5 s back from 25 s.
    await page.locator("body").press("ArrowLeft");
    await waitForFrame(page);
    expect((await videoState(page)).currentTime).toBeCloseTo(20, 1);
  });

  test("speed changes how fast time runs", async () => {
    await clickTimelineAt(page, 2, 45.726);
    await page.selectOption("#speed", "4");
    expect((await videoState(page)).rate).toBe(4);
    await page.click("#play");
    await page.waitForFunction(() => !document.querySelector<HTMLVideoElement>("#video")!.paused);
    // Measured inside the page: seconds of recording per second of wall time.
    const measured = await page.evaluate(async () => {
      const v = document.querySelector<HTMLVideoElement>("#video")!;
      const a = v.currentTime;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 1200));
      return (v.currentTime - a) / ((performance.now() - t0) / 1000);
    });
    await page.click("#play");
    expect(measured).toBeGreaterThan(4 * 0.7);
    expect(measured).toBeLessThan(4 * 1.3);
    await page.selectOption("#speed", "1");
  });

  test("markers: the events list and the timeline ticks jump to the moment; ] goes to the next", async () => {
    const events = page.locator("#events .event");
    expect(await events.count()).toBe(2);
    await page.locator("#events .event-alert button, #events li.event-alert .event").first().click();
    await waitForFrame(page);
    expect((await videoState(page)).currentTime).toBeCloseTo(36.54, 2);
    expect(await page.getAttribute("#events li.event-alert", "class")).toContain("current");

    await page.locator(".tick-clipboard").click();
    await waitForFrame(page);
    expect((await videoState(page)).currentTime).toBeCloseTo(28.275, 2);

    await page.locator("body").press("]");
    await waitForFrame(page);
    expect((await videoState(page)).currentTime).toBeCloseTo(36.54, 2);
    await page.locator("body").press("[");
    await waitForFrame(page);
    expect((await videoState(page)).currentTime).toBeCloseTo(28.275, 2);
  });

  test("frame stepping and the idle stretch come from the MP4's sample table", async () => {
    await page.waitForFunction(() => Number(document.getElementById("player")!.dataset.frames) > 0);
    expect(Number(await page.getAttribute("#player", "data-idle"))).toBeGreaterThanOrEqual(1);
    expect(await page.locator(".idle-stretch").count()).toBeGreaterThanOrEqual(1);
    // The frame times as ffprobe reads them from the same file.
    const file = join(ts.dataDir, "frames.mp4");
    await Bun.write(file, await (await fetch(`${ts.url}/v1/recordings/${aliceId}/video.mp4`, { headers: { authorization: `Bearer ${ts.adminToken}` } })).arrayBuffer());
    const probe = Bun.spawnSync(["ffprobe", "-v", "error", "-show_entries", "packet=pts_time", "-of", "csv=p=0", file]);
    const frames = probe.stdout.toString().trim().split("\n").map(Number).sort((a, b) => a - b);
    const before = (await videoState(page)).currentTime;
    await page.locator("body").press(".");
    await waitForFrame(page);
    const after = (await videoState(page)).currentTime;
    expect(after).toBeCloseTo(frames.find((f) => f > before + 0.001)!, 3);
    await page.locator("body").press(",");
    await waitForFrame(page);
    const back = (await videoState(page)).currentTime;
    expect(back).toBeCloseTo([...frames].reverse().find((f) => f < after - 0.001)!, 3);
  });

  test("skip idle jumps over the still stretch to just before the next change", async () => {
    await page.check("#skip-idle");
    await clickTimelineAt(page, 37.0, 45.726);
    await page.click("#play");
    // The screen does not change from 36.7 s to 44.1 s: playing from 37 s reaches 43.8 s within about a second.
    await page.waitForFunction(() => document.querySelector<HTMLVideoElement>("#video")!.currentTime > 43.5, null, { timeout: 3000 });
    await page.click("#play");
    const t = (await videoState(page)).currentTime;
    expect(t).toBeLessThan(44.1 + 1);
    await page.uncheck("#skip-idle");
  });

  test("help overlay, copy link and fit/1:1", async () => {
    await page.locator("body").press("?");
    expect(await page.isVisible("#help")).toBe(true);
    await page.keyboard.press("Escape");
    expect(await page.isVisible("#help")).toBe(false);
    await page.locator("body").press("z");
    expect(await page.getAttribute("#stage", "class")).toContain("actual");
    await page.locator("body").press("z");
    expect(await page.getAttribute("#stage", "class")).toContain("fit");
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: ts.url });
    await clickTimelineAt(page, 12.3, 45.726);
    await page.click("#copy-link");
    await page.waitForSelector("#toast:not([hidden])");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const link = new URL(copied);
    expect(link.pathname).toBe(`/recordings/${aliceId}`);
    expect(Number(link.searchParams.get("t"))).toBeCloseTo(12.3, 0);
  });

  test("downloads a standard MP4 that ffprobe reads", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-mp4")]);
    expect(download.suggestedFilename()).toMatch(/^WIN-ALICE-.*\.mp4$/);
    const path = join(ts.dataDir, "download.mp4");
    await download.saveAs(path);
    const probe = Bun.spawnSync(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height:format=duration", "-of", "json", path]);
    const info = JSON.parse(probe.stdout.toString()) as { streams: Array<{ codec_name: string; width: number; height: number }>; format: { duration: string } };
    expect(info.streams[0]).toMatchObject({ codec_name: "h264", width: 1280, height: 720 });
    expect(Number(info.format.duration)).toBeCloseTo(45.726, 0);
  });
});
