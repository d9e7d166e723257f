// Seek-bar previews in Chromium: hovering the seek bar at several moments of an imported recording (the sample
// capture's first 40 s) shows the preview tile of that moment, and its pixels (read from the sheet region the
// page shows) match the <video>'s own picture at the hovered time, drawn to a canvas and scaled to the tile's
// size by area averaging (PSNR over RGB; 30.3-33.7 dB measured). The same tile against a frame far away scores
// clearly lower (about 10 dB), so the comparison can fail.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { PreviewIndexView } from "../../src/api/previews.ts";
import { rgbPsnr } from "../support/previewCheck.ts";
import { waitFor } from "../support/server.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, importRecording, sampleProtostream, startTestServer, type TestServer } from "./fixture.ts";

/** Floor at tile size (160 × 90): the sheets are JPEG (quality 75) of the composed picture; the video is H.264. */
const MIN_PSNR = 28;
/** How much worse the tile must match a frame far from its moment. */
const WRONG_TIME_MARGIN_DB = 3;

let ts: TestServer;
let browser: TestBrowser;
let page: Page;
let id: string;
let tiles: number[];

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "alice", "alice password", "user");
  id = await importRecording(ts, await sampleProtostream({ sessionId: crypto.randomUUID(), user: "alice", desktopName: "WIN-PREVIEW" }, Date.now() - 3_600_000, 40_000));
  // The MP4 is listed before the last sheet is stored; the index says when it is complete.
  const index = await waitFor("the complete preview index", async () => {
    const it = (await (await api(ts, `/v1/recordings/${id}/previews`, { token: ts.adminToken })).json()) as PreviewIndexView;
    return it.complete ? it : undefined;
  }, 30_000);
  tiles = index.sheets.flatMap((s) => s.tiles);
  browser = await launchBrowser();
  page = await browser.newPage();
  await logInThroughPage(page, ts.url, "alice", "alice password");
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await ts?.stop();
});

interface Hovered {
  /** The hovered time (s), as the seek bar computes it from the pointer. */
  t: number;
  label: string;
  tileMs: number;
  /** The shown tile's pixels, RGB24. */
  rgb: number[];
  width: number;
  height: number;
}

/** Moves the pointer over the seek bar at `seconds` and reads the preview picture the page shows. */
async function hoverAt(seconds: number): Promise<Hovered> {
  const bar = await page.evaluate(() => {
    const r = document.getElementById("timeline")!.getBoundingClientRect();
    return { left: r.left, width: r.width, y: r.top + r.height / 2, duration: document.querySelector<HTMLVideoElement>("#video")!.duration };
  });
  // The first whole pixel at or after the moment, so the hovered time is never before it.
  const x = Math.ceil(bar.left + (seconds / bar.duration) * bar.width);
  await page.mouse.move(x - 5, bar.y);
  await page.mouse.move(x, bar.y);
  await page.waitForSelector("#timeline-preview[data-tile-ms]", { state: "visible" });
  const shown = await page.evaluate(async () => {
    const el = document.getElementById("timeline-preview")!;
    const url = /url\("?([^")]+)"?\)/.exec(el.style.backgroundImage)![1]!;
    const [bx, by] = el.style.backgroundPosition.split(" ").map((v) => -parseFloat(v));
    const width = parseFloat(el.style.width);
    const height = parseFloat(el.style.height);
    const sheet = new Image();
    sheet.src = url;
    await sheet.decode();
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    ctx.drawImage(sheet, bx!, by!, width, height, 0, 0, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const rgb: number[] = [];
    for (let i = 0; i < rgba.length; i += 4) rgb.push(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
    return { label: document.getElementById("timeline-hover-time")!.textContent!, tileMs: Number(el.dataset.tileMs), rgb, width, height };
  });
  return { t: ((x - bar.left) / bar.width) * bar.duration, ...shown };
}

/** The <video>'s picture at `seconds`, drawn at full size and scaled down by area averaging to width × height (RGB24). */
async function videoAt(seconds: number, width: number, height: number): Promise<number[]> {
  return page.evaluate(async ({ seconds, width, height }) => {
    const video = document.querySelector<HTMLVideoElement>("#video")!;
    video.pause();
    // Seeked, and the decoded picture for the new position presented (a paused seek to where it already is
    // presents no new frame: the short wait covers that).
    const presented = new Promise<void>((resolve) => {
      video.requestVideoFrameCallback(() => resolve());
      setTimeout(resolve, 500);
    });
    await new Promise<void>((resolve) => {
      video.addEventListener("seeked", () => resolve(), { once: true });
      video.currentTime = seconds;
    });
    await presented;
    const sw = video.videoWidth;
    const sh = video.videoHeight;
    const canvas = document.createElement("canvas");
    canvas.width = sw;
    canvas.height = sh;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0);
    const src = ctx.getImageData(0, 0, sw, sh).data;
    const rgb: number[] = [];
    for (let dy = 0; dy < height; dy++) {
      const y0 = Math.floor((dy * sh) / height);
      const y1 = Math.max(y0 + 1, Math.floor(((dy + 1) * sh) / height));
      for (let dx = 0; dx < width; dx++) {
        const x0 = Math.floor((dx * sw) / width);
        const x1 = Math.max(x0 + 1, Math.floor(((dx + 1) * sw) / width));
        const sum = [0, 0, 0];
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            const i = (y * sw + x) * 4;
            sum[0] += src[i]!;
            sum[1] += src[i + 1]!;
            sum[2] += src[i + 2]!;
          }
        }
        const n = (y1 - y0) * (x1 - x0);
        rgb.push(Math.round(sum[0]! / n), Math.round(sum[1]! / n), Math.round(sum[2]! / n));
      }
    }
    return rgb;
  }, { seconds, width, height });
}

test("the preview at a hovered time matches the video at that time", async () => {
  expect(tiles.length).toBeGreaterThanOrEqual(8);
  await page.goto(`${ts.url}/recordings/${id}`);
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>("#video")!;
    return v.readyState >= 2 && Number.isFinite(v.duration);
  }, undefined, { timeout: 30_000 });
  await page.evaluate(() => document.querySelector<HTMLVideoElement>("#video")!.pause());

  // Moments spread over the recording at which the worker made a tile: the seek bar shows the last tile at or
  // before the hovered time, which on a changing screen is up to one interval (2 s) older than it, so the moments
  // hovered are the tiles' own (the first whole pixel after, within one video frame).
  const picks = [1, Math.round(tiles.length / 3), Math.round((2 * tiles.length) / 3), tiles.length - 2].map((i) => tiles[i]!);
  const scores: string[] = [];
  for (const tileMs of picks) {
    const hovered = await hoverAt(tileMs / 1000);
    expect(hovered.tileMs).toBe(tileMs);
    expect(hovered.t - tileMs / 1000).toBeLessThan(0.05);
    expect(Math.abs(parseClock(hovered.label) - hovered.t)).toBeLessThan(0.11);
    const truth = await videoAt(hovered.t, hovered.width, hovered.height);
    const psnr = rgbPsnr(Uint8Array.from(hovered.rgb), Uint8Array.from(truth));
    scores.push(`${hovered.t.toFixed(2)} s: ${psnr.toFixed(1)} dB`);
  }
  console.log(`hovered preview against the video in Chromium (${MIN_PSNR} dB floor): ${scores.join(", ")}`);

  // A wrong time fails: the first moment's tile against the video near the end.
  const first = await hoverAt(picks[0]! / 1000);
  const right = rgbPsnr(Uint8Array.from(first.rgb), Uint8Array.from(await videoAt(first.t, first.width, first.height)));
  const wrong = rgbPsnr(Uint8Array.from(first.rgb), Uint8Array.from(await videoAt(picks.at(-1)! / 1000, first.width, first.height)));
  console.log(`the same tile against a frame far away: ${wrong.toFixed(1)} dB (right time: ${right.toFixed(1)} dB)`);
  expect(right).toBeGreaterThan(wrong + WRONG_TIME_MARGIN_DB);
}, 120_000);

/** "1:02.3" → 62.3. */
function parseClock(text: string): number {
  const [clock, tenths] = text.split(".");
  const seconds = clock!.split(":").reduce((acc, part) => acc * 60 + Number(part), 0);
  return seconds + Number(tenths ?? 0) / 10;
}
