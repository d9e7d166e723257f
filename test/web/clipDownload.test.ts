// The player's in/out points in Chromium: In and Out at two moments, then "Download this part" downloads
// the clip of exactly that span, which ffprobe reads as such.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { probe } from "../video/helpers/ffmpeg.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { createUser, importRecording, sampleProtostream, startTestServer, type TestServer } from "./fixture.ts";

let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let id: string;

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "alice", "alice password", "user");
  id = await importRecording(ts, await sampleProtostream({ sessionId: crypto.randomUUID(), user: "alice", desktopName: "WIN-CLIP" }, Date.now() - 3_600_000, 12_000));
  browser = await launchBrowser();
  page = await browser.newPage();
  await logInThroughPage(page, ts.url, "alice", "alice password");
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await ts?.stop();
});

async function seek(seconds: number): Promise<void> {
  await page.evaluate((t) => {
    const v = document.querySelector<HTMLVideoElement>("#video")!;
    v.pause();
    v.currentTime = t;
  }, seconds);
  await page.waitForFunction((t) => Math.abs(document.querySelector<HTMLVideoElement>("#video")!.currentTime - t) < 0.01, seconds);
}

test("In, Out, Download this part: the clip of that span", async () => {
  await page.goto(`${ts.url}/recordings/${id}`);
  await page.waitForFunction(() => document.querySelector<HTMLVideoElement>("#video")!.readyState >= 1, undefined, { timeout: 30_000 });
  expect(await page.getAttribute("#download-clip", "aria-disabled")).toBe("true");
  await seek(2.5);
  await page.click("#clip-in");
  await seek(8.25);
  await page.click("#clip-out");
  const href = await page.getAttribute("#download-clip", "href");
  expect(href).toBe(`/v1/recordings/${id}/clip.mp4?from=2500&to=8250`);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-clip")]);
  const path = join(ts.dataDir, "player-clip.mp4");
  await download.saveAs(path);
  expect(download.suggestedFilename()).toContain("clip-2500-8250.mp4");
  const probed = await probe(path);
  expect(Math.abs(probed.durationMs - 5750)).toBeLessThanOrEqual(100);
}, 90_000);
