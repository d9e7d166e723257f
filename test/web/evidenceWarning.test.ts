// The player's evidence check in Chromium: a recording that verifies shows a small "Verified" mark and no
// warning; one flipped byte in its stored recording part or its MP4 on disk, and after a reload the page shows
// a clear warning naming that object (and the part). Whoever may watch the recording sees it: its user and an
// auditor. A live recording verifies up to its last part and raises no alarm.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { waitFor } from "../support/server.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "./browser.ts";
import { api, createUser, importRecording, sampleProtostream, startTestServer, type TestServer } from "./fixture.ts";
import { flipByte as flip } from "../support/flipByte.ts";

interface Report { verdict: string; state: string; chain: { verified_parts: number }; objects: Array<{ name: string; status: string }> }
interface ChainLine { part: number; offset: number; length: number }

let ts: TestServer;
const browsers: TestBrowser[] = [];
let alice: Page;
let carol: Page;
let id: string;

const blob = (key: string) => join(ts.dataDir, "blobs", key);

async function verify(recording: string): Promise<Report> {
  return (await (await api(ts, `/v1/recordings/${recording}/verify`, { token: ts.adminToken })).json()) as Report;
}

/** An import is signed at import and again once its video is made: wait for the manifest that lists the video. */
async function waitSealedWithVideo(recording: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const report = await verify(recording);
    if (report.state === "sealed" && report.objects.some((o) => o.name === "video" && o.status === "ok")) return;
    if (Date.now() > deadline) throw new Error(`recording ${recording} not sealed with its video: ${JSON.stringify(report)}`);
    await Bun.sleep(200);
  }
}

/** Opens the player and waits for the evidence check's answer (the mark's verdict). */
async function openPlayer(page: Page, recording: string): Promise<{ verdict: string; state: string; mark: string; warning: string | null }> {
  await page.goto(`${ts.url}/recordings/${recording}`);
  await page.waitForSelector("#evidence-mark[data-verdict]", { state: "visible", timeout: 30_000 });
  return page.evaluate(() => {
    const mark = document.getElementById("evidence-mark")!;
    const warning = document.getElementById("evidence-warning")!;
    return {
      verdict: mark.dataset.verdict!, state: mark.dataset.state!, mark: mark.textContent!,
      warning: warning.hidden || warning.getBoundingClientRect().height === 0 ? null : warning.innerText,
    };
  });
}

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "alice", "alice password", "user");
  await createUser(ts, "carol", "carol password", "auditor");
  await createUser(ts, "bob", "bob password", "user");
  id = await importRecording(ts, await sampleProtostream({ sessionId: crypto.randomUUID(), user: "alice", desktopName: "WIN-EVIDENCE" }, Date.now() - 3_600_000, 12_000));
  await waitSealedWithVideo(id);
  alice = await loggedIn("alice");
  carol = await loggedIn("carol");
}, 150_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  await ts?.stop();
});

/** A page in a browser of its own, logged in as `name`. */
async function loggedIn(name: string): Promise<Page> {
  const browser = await launchBrowser();
  browsers.push(browser);
  const page = await browser.newPage();
  await logInThroughPage(page, ts.url, name, `${name} password`);
  return page;
}

describe("a finished recording", () => {
  test("that verifies: a Verified mark, no warning", async () => {
    const seen = await openPlayer(alice, id);
    expect(seen).toEqual({ verdict: "ok", state: "sealed", mark: "Verified", warning: null });
  }, 60_000);

  test("one flipped byte in a stored part: after a reload the warning names the recording and the part", async () => {
    const lines = (await Bun.file(blob(`evidence/${id}/chain.jsonl`)).text()).trim().split("\n").map((l) => JSON.parse(l) as ChainLine);
    const part = lines[Math.floor(lines.length / 2)]!;
    const offset = part.offset + Math.floor(part.length / 2);
    flip(blob(`recordings/${id}.tar`), offset);
    try {
      for (const page of [alice, carol]) {
        const seen = await openPlayer(page, id);
        expect(seen.verdict).toBe("failed");
        expect(seen.mark).toBe("Not verified");
        expect(seen.warning).toContain("This recording does not match its signature.");
        expect(seen.warning).toContain(`The recording: part ${part.part} (bytes`);
        expect(seen.warning).not.toContain("The MP4 video");
        // Shown where one looks first: above the player, in the first screenful.
        const box = await page.locator("#evidence-warning").boundingBox();
        const player = await page.locator("#player").boundingBox();
        expect(box!.y + box!.height).toBeLessThanOrEqual(player!.y);
        expect(box!.y).toBeLessThan(page.viewportSize()!.height);
      }
    } finally {
      flip(blob(`recordings/${id}.tar`), offset);
    }
    expect(await openPlayer(alice, id)).toMatchObject({ verdict: "ok", warning: null });
  }, 90_000);

  test("one flipped byte in the MP4: the warning names the video", async () => {
    const path = blob(`video/${id}/video.mp4`);
    const offset = Math.floor(statSync(path).size * 0.7);
    flip(path, offset);
    try {
      for (const page of [carol, alice]) {
        const seen = await openPlayer(page, id);
        expect(seen.verdict).toBe("failed");
        expect(seen.warning).toContain(`The MP4 video: video (video/${id}/video.mp4) does not match the manifest`);
        expect(seen.warning).not.toContain("The recording");
      }
    } finally {
      flip(path, offset);
    }
  }, 90_000);

  test("who may not watch the recording gets neither the page nor its verification", async () => {
    const bob = await loggedIn("bob");
    await bob.goto(`${ts.url}/recordings/${id}`);
    await bob.waitForSelector("#page-error", { state: "visible" });
    expect(await bob.isVisible("#evidence-warning")).toBe(false);
    expect(await bob.evaluate(async (url) => (await fetch(url)).status, `/v1/recordings/${id}/verify`)).toBe(403);
  }, 60_000);
});

describe("a live recording", () => {
  test("verifies up to its last part while it runs (no alarm), and is Verified once sealed", async () => {
    const live = crypto.randomUUID();
    const client = await IngestClient.connect(ts.url, ts.adminToken, { desktop: "WIN-EVIDENCE-LIVE", user: "carol", session_id: live });
    const sending = client.replay(sampleUntil(10_000), 1);
    try {
      // Opened once the server verifies a stored part of the running session, not after a guessed 3 s.
      await waitFor("a verifiable part of the live recording", async () => {
        const report = await verify(live).catch(() => null);
        return report !== null && report.state === "open" && report.chain.verified_parts > 0 ? true : undefined;
      }, 30_000);
      const seen = await openPlayer(carol, live);
      expect(seen).toMatchObject({ verdict: "ok", state: "open", mark: "Verified so far", warning: null });
    } finally {
      await sending;
      await client.close();
    }
    const deadline = Date.now() + 60_000;
    while ((await verify(live)).state !== "sealed") {
      if (Date.now() > deadline) throw new Error("the live recording was not sealed after it ended");
      await Bun.sleep(250);
    }
    expect(await openPlayer(carol, live)).toMatchObject({ verdict: "ok", state: "sealed", mark: "Verified", warning: null });
  }, 120_000);
});
