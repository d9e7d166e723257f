// An RDP-era recording (the real RemoteFX capture rdp-shadow-720: TDP 31 + 29) in the web player, in Debian's
// headless Chromium: it plays like any other recording, opens at ?t= on the RDP client's picture of that moment.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { RDP_SHADOW_CAPTURE, RDP_SHADOW_DIR } from "../rdp/capture.ts";
import { recordingOf } from "../support/recordings.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { createUser, importRecording, startTestServer, type TestServer } from "./fixture.ts";
import { framePsnr, videoState, waitForFrame } from "./frameCheck.ts";

const TRUTH = join(RDP_SHADOW_DIR, "truth");
let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let id: string;

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "olga", "olga password", "auditor");
  const records = readTdpcap(new Uint8Array(readFileSync(RDP_SHADOW_CAPTURE)));
  id = await importRecording(ts, await recordingOf(records, crypto.randomUUID(), "WIN-RDP"));
  browser = await launchBrowser();
  page = await browser.newPage();
  await logInThroughPage(page, ts.url, "olga", "olga password");
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await ts?.stop();
});

describe("an RDP-era recording in the player", () => {
  test("opens at ?t= paused on the RDP client's picture of that moment, and plays on", async () => {
    await page.goto(`${ts.url}/recordings/${id}?t=5.589`);
    await waitForFrame(page);
    const state = await videoState(page);
    expect(state.currentTime).toBeCloseTo(5.589, 3);
    expect(state.paused).toBe(true);
    expect([state.width, state.height]).toEqual([1280, 720]);
    expect(state.duration).toBeGreaterThan(23);
    // RGB PSNR in the page: 4:2:0 chroma caps it near 26 dB on this capture's coloured terminal text (luma is
    // checked >= 33 dB in test/server/rdpVideo.test.ts); another moment's picture must score clearly lower.
    const right = await framePsnr(page, join(TRUTH, "t5589.png"));
    const wrong = await framePsnr(page, join(TRUTH, "t412.png"));
    expect(right).toBeGreaterThanOrEqual(24);
    expect(right - wrong).toBeGreaterThan(2);

    await page.evaluate(() => document.querySelector<HTMLVideoElement>("#video")!.play());
    await page.waitForFunction(() => document.querySelector<HTMLVideoElement>("#video")!.currentTime > 6.5, null, { timeout: 15_000 });
    expect((await videoState(page)).paused).toBe(false);
  }, 60_000);
});
