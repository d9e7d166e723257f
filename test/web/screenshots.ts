// Takes the README's screenshots with real data: `bun test/web/screenshots.ts` writes docs/screenshots/*.png.
// Recordings are the sample capture imported for a few users, plus live sessions streamed in real time (the sample
// capture for one, synthetic desktops for the others, which fill the live wall).
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { runDemoAgent } from "../../tools/demo/agent.ts";
import { launchBrowser, logInThroughPage } from "./browser.ts";
import { waitFor } from "../support/server.ts";
import { api, createUser, importRecording, SAMPLE_CAPTURE, sampleProtostream, startTestServer } from "./fixture.ts";

const OUT = join(import.meta.dir, "../../docs/screenshots");
await mkdir(OUT, { recursive: true });
const ts = await startTestServer({ DESKREEL_VIDEO_WORKERS: "2" });
const abort = new AbortController();
try {
  await createUser(ts, "olga", "olga password", "auditor");
  const people = [["alice", "WIN-FINANCE-02"], ["bob", "WIN-BUILD-17"], ["carol", "WIN-HR-01"]] as const;
  let firstId = "";
  for (const [i, [user, desktop]] of people.entries()) {
    const id = await importRecording(ts, await sampleProtostream({ sessionId: crypto.randomUUID(), user, desktopName: desktop }, Date.now() - (i + 1) * 5_400_000));
    firstId ||= id;
  }
  const { token } = (await (await api(ts, "/v1/tokens", {
    method: "POST", token: ts.adminToken, headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "agent", role: "agent" }),
  })).json()) as { token: string };
  const liveId = crypto.randomUUID();
  const agent = runDemoAgent({
    server: ts.url, token, desktop: "WIN-OPS-05", user: "dave", login: "Administrator", sessionId: liveId,
    width: 1280, height: 720, durationS: 45, seed: 2, realtime: true, capture: SAMPLE_CAPTURE, signal: abort.signal, log: () => undefined,
  }).catch(() => undefined);
  const wallAgents = [["erin", "WIN-SUPPORT-03", 7], ["frank", "WIN-DEV-11", 11]] as const;
  const others = wallAgents.map(([user, desktop, seed]) => runDemoAgent({
    server: ts.url, token, desktop, user, login: "Administrator", width: 1280, height: 720, durationS: 60, seed,
    realtime: true, signal: abort.signal, log: () => undefined,
  }).catch(() => undefined));

  const browser = await launchBrowser({ viewport: { width: 1440, height: 860 }, colorScheme: "dark" });
  const page = await browser.newPage();
  await page.goto(`${ts.url}/login`);
  await page.screenshot({ path: join(OUT, "login.png") });
  await logInThroughPage(page, ts.url, "olga", "olga password");
  await waitFor("the live session to record 8 s of video", async () => {
    const res = await api(ts, `/v1/recordings/${liveId}`, { token: ts.adminToken });
    const body = res.ok ? ((await res.json()) as { video: { duration_ms: number } }) : null;
    return body !== null && body.video.duration_ms >= 8_000 ? true : undefined;
  }, 60_000);
  await page.goto(`${ts.url}/`);
  await page.waitForSelector(`#recordings-body tr[data-id="${liveId}"]`);
  // every thumbnail loaded (the three imports and the live session)
  await page.waitForFunction(() => {
    const images = [...document.querySelectorAll<HTMLImageElement>("#recordings-body img")];
    return images.length >= 4 && images.every((img) => img.complete && img.naturalWidth > 0);
  }, null, { timeout: 30_000 });
  await page.screenshot({ path: join(OUT, "recordings.png") });

  await page.goto(`${ts.url}/recordings/${firstId}?t=23.6`);
  await page.waitForFunction(() => document.querySelector<HTMLVideoElement>("#video")!.readyState >= 2);
  const box = (await page.locator("#timeline").boundingBox())!;
  await page.mouse.move(box.x + (28.3 / 45.726) * box.width, box.y + box.height / 2);
  await page.waitForSelector("#timeline-preview[data-tile-ms]", { state: "visible" });
  await page.screenshot({ path: join(OUT, "player.png") });
  await page.locator("body").press("?");
  await page.screenshot({ path: join(OUT, "shortcuts.png") });
  await page.keyboard.press("Escape");

  await page.goto(`${ts.url}/recordings/${liveId}`);
  await page.waitForFunction(() => document.getElementById("player")!.dataset.live === "true");
  await page.waitForFunction(() => {
    const video = document.querySelector<HTMLVideoElement>("#video")!;
    return video.readyState >= 2 && video.currentTime > 0;
  }, null, { timeout: 30_000 });
  await page.screenshot({ path: join(OUT, "live.png") });

  await page.goto(`${ts.url}/live`);
  await page.waitForFunction(() => {
    const videos = [...document.querySelectorAll<HTMLVideoElement>("#wall li.tile.has-video video")];
    return videos.length >= 3 && videos.every((v) => v.readyState >= 2 && v.currentTime > 0);
  }, null, { timeout: 30_000 });
  await page.screenshot({ path: join(OUT, "wall.png") });
  await browser.close();

  await shootAdmin();
  abort.abort();
  await Promise.all([agent, ...others]);
  console.log(`screenshots written to ${OUT}`);
} finally {
  abort.abort();
  await ts.stop();
}

/** The admin page with a few users and tokens, one used, one revoked, and a new token's secret on show. */
async function shootAdmin(): Promise<void> {
  await createUser(ts, "root", "root password", "admin");
  for (const user of ["alice", "bob", "carol"]) await createUser(ts, user, `${user} password`, "user");
  const post = (path: string, body: unknown) => api(ts, path, {
    method: "POST", token: ts.adminToken, headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  await post("/v1/tokens", { name: "nightly-export", role: "auditor" });
  const old = (await (await post("/v1/tokens", { name: "old-agent", role: "agent" })).json()) as { id: string };
  await api(ts, `/v1/tokens/${old.id}`, { method: "DELETE", token: ts.adminToken });

  const browser = await launchBrowser({ viewport: { width: 1440, height: 1100 }, colorScheme: "dark" });
  const page = await browser.newPage();
  await logInThroughPage(page, ts.url, "root", "root password", "/admin");
  await page.waitForSelector('#users-body tr[data-user="olga"]');
  await page.fill("#token-name", "desktop-agent-eu1");
  await page.click("#token-submit");
  await page.waitForSelector("#token-secret:not([hidden])");
  await page.locator("#token-copy").blur();
  await page.screenshot({ path: join(OUT, "admin.png"), fullPage: true });
  await browser.close();
}
