// The web UI as people use it, measured inside headless Chromium (/usr/bin/chromium via playwright-core):
// - seek latency in the player on a long recording: setting video.currentTime → the first presented frame
//   (requestVideoFrameCallback) that is the target's frame;
// - live latency: a tile sent into the ingest WebSocket → the first presented frame of the live page showing it;
// - the recordings list with 100 000 recordings: navigation start → the first table row in the DOM.
// Every time is taken with performance.now() in the page; the live figure compares the bench's clock with the
// page's (both epoch-based, same machine; the offset is measured and removed).
//   bun bench/web.ts [--quick] [seek|live|list ...]
import { rng } from "../test/fuzz/mutate.ts";
import { createCanvas } from "@napi-rs/canvas";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { NewRecording } from "../src/catalog/types.ts";
import { demoSessionRecords } from "../tools/demo/session.ts";
import { decodeMessage, encodeMessage } from "../src/tdp/codec.ts";
import { MessageType, tileRect, type Rect } from "../src/tdp/messages.ts";
import { writeTdpcap, type TdpcapRecord } from "../src/tdp/tdpcap.ts";
import { importRecording } from "../src/sessions/importer.ts";
import { readMp4Samples } from "../src/video/mp4/reader.ts";
import { IngestClient } from "../test/support/ingestClient.ts";
import { recordingOf } from "../test/support/recordings.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../test/support/server.ts";
import { launchBrowser, logInThroughPage, type TestBrowser } from "../test/web/browser.ts";
import { officeCapture } from "./server.ts";

const CACHE = join(tmpdir(), "deskreel-bench");
const VIEWER = { name: "bench-viewer", password: "bench viewer password" };

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

/**
 * officeCapture's file, made here when missing: the same records (1920x1080, same seed and length), but generated
 * with an event-loop turn every few frames. The canvas read-backs of painted frames are freed only when the event
 * loop turns, so generating an hour in one synchronous run (writeDemoCapture) holds ~8 MB per frame (tens of GB).
 */
async function cachedOfficeCapture(seed: number, durationS: number): Promise<TdpcapRecord[]> {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `office-1080-${seed}-${durationS}.tdpcap`);
  if (!existsSync(path)) {
    const records: TdpcapRecord[] = [];
    for (const r of demoSessionRecords({ width: 1920, height: 1080, durationS, seed })) {
      records.push(r);
      if (records.length % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    writeFileSync(`${path}.part`, writeTdpcap(records));
    renameSync(`${path}.part`, path);
  }
  return officeCapture(seed, durationS);
}

/** Nearest-rank percentiles (the same rule as bench/server.ts). */
export function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN);
  return { n: sorted.length, p50: at(50), p95: at(95), max: sorted.length ? sorted[sorted.length - 1] : Number.NaN };
}


/** A test server (2 encoder workers) with a viewer account, and Chromium logged in as that viewer. */
async function serverAndBrowser(env: Record<string, string> = {}): Promise<{ server: TestServer; browser: TestBrowser; page: Page }> {
  const server = await startTestServer({ DESKREEL_VIDEO_WORKERS: "2", ...env });
  try {
    await server.services.auth.createUser(VIEWER.name, VIEWER.password, "auditor");
    const browser = await launchBrowser();
    const page = await browser.newPage();
    await logInThroughPage(page, server.url, VIEWER.name, VIEWER.password);
    return { server, browser, page };
  } catch (err) {
    await server.dispose();
    throw err;
  }
}

interface RecordingState { status: string; duration_ms: number; video: { state: string; bytes: number } }

// ---- 1. Seek latency ----------------------------------------------------------------------------------------

export interface SeekOptions {
  durationS: number;
  seeks: number;
  seed?: number;
  log?: (line: string) => void;
  /** Server settings (DESKREEL_VIDEO_ENCODER=wasm, say). */
  env?: Record<string, string>;
}

export interface SeekResult {
  durationS: number;
  width: number;
  height: number;
  frames: number;
  keyframes: number;
  mp4Mb: number;
  /** Time to generate (or read from the cache) the capture and its Teleport recording, s. */
  prepareSeconds: number;
  importSeconds: number;
  /** Set when the HTTP import could not take the file (see importFile). */
  importNote: string;
  /** set currentTime → first presented frame that is the target's frame, ms. */
  frame: Stats;
  /** The same for far jumps (more than a quarter of the recording away) and near ones (2–15 s). */
  far: Stats;
  near: Stats;
  /** set currentTime → `seeked` event, ms. */
  seeked: Stats;
  /** Seeks whose first presented frame was not the target's frame, or that presented none within 10 s. */
  wrong: number;
  missed: number;
}

interface SeekSample { frameMs: number; seekedMs: number; mediaTime: number; wrongFrames: number }

/** The Teleport recording of the office capture, cached beside the capture (writing it takes a while for an hour). */
async function cachedRecording(seed: number, durationS: number, sessionId: string): Promise<Uint8Array> {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `office-1080-${seed}-${durationS}.${sessionId}.tar`);
  if (existsSync(path)) return new Uint8Array(readFileSync(path));
  const bytes = await recordingOf(await cachedOfficeCapture(seed, durationS), sessionId, "WIN-SEEK");
  writeFileSync(`${path}.part`, bytes);
  renameSync(`${path}.part`, path);
  return bytes;
}

/**
 * POST /v1/recordings/import; a body over the HTTP server's size limit (413 before the route runs) is imported with
 * the function that route calls, and noted, so the seek figures do not depend on that limit.
 */
async function importFile(server: TestServer, file: Uint8Array): Promise<{ id: string; note: string }> {
  const res = await fetch(`${server.url}/v1/recordings/import`, {
    method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: file as Uint8Array<ArrayBuffer>,
  });
  if (res.status === 201) return { id: ((await res.json()) as { id: string }).id, note: "" };
  const text = await res.text();
  if (res.status !== 413 || text !== "") throw new Error(`import failed: ${res.status} ${text}`);
  const note = `POST /v1/recordings/import answered 413 with an empty body for ${(file.length / 2 ** 20).toFixed(0)} MB (the HTTP server's request size limit), so the recording was imported with importRecording(), the function that route calls`;
  const { id, video } = await importRecording(server.services, file);
  void video.catch(() => undefined);
  return { id, note };
}

/** Index of the sample shown at time t (the last one starting at or before t). */
function frameAt(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= t + 1e-9) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A 1920x1080 office session of `durationS` seconds (real timing) imported into a fresh server, then opened in the
 * player (paused, logged in as an auditor) and seeked to `seeks` random places: four in five are far jumps (more
 * than a quarter of the recording away, back and forth), one in five a near one (2–15 s either way).
 */
export async function benchSeek(opts: SeekOptions): Promise<SeekResult> {
  const log = opts.log ?? (() => undefined);
  const seed = opts.seed ?? 31;
  const sessionId = `00000000-0000-4000-8000-${String(opts.durationS).padStart(12, "0")}`;
  let t0 = performance.now();
  const file = await cachedRecording(seed, opts.durationS, sessionId);
  const prepareSeconds = (performance.now() - t0) / 1000;
  log(`seek: recording of ${opts.durationS} s ready (${(file.length / 2 ** 20).toFixed(0)} MB) after ${prepareSeconds.toFixed(1)} s`);
  const { server, browser, page } = await serverAndBrowser(opts.env);
  try {
    t0 = performance.now();
    const { id, note: importNote } = await importFile(server, file);
    await waitFor(`video of ${id}`, async () => {
      const rec = await server.json<RecordingState>(`/v1/recordings/${id}`);
      if (rec.video.state === "failed") throw new Error(`video of ${id} failed`);
      return rec.status !== "live" && rec.video.state === "ready" ? rec : undefined;
    }, 3_600_000);
    const importSeconds = (performance.now() - t0) / 1000;
    if (importNote) log(`seek: ${importNote}`);
    log(`seek: imported, video ready after ${importSeconds.toFixed(1)} s`);

    // The frames' times, from the MP4's sample table: a seek to t must present the frame starting at or before t.
    const mp4 = new Uint8Array(await (await server.get(`/v1/recordings/${id}/video.mp4`)).arrayBuffer());
    const table = readMp4Samples(mp4);
    const times = Float64Array.from(table.samples, (s) => s.dts / table.timescale);
    const last = times[times.length - 1] + table.samples[table.samples.length - 1].duration / table.timescale;

    await page.goto(`${server.url}/recordings/${id}?t=0`);
    await page.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>("#video");
      return !!v && v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && !v.seeking && v.paused;
    }, null, { timeout: 60_000 });
    const size = await page.evaluate(() => {
      const v = document.querySelector<HTMLVideoElement>("#video")!;
      return { width: v.videoWidth, height: v.videoHeight, duration: v.duration };
    });

    const random = rng(seed);
    let previous = 0;
    let previousFrame = 0;
    const all: number[] = [];
    const far: number[] = [];
    const near: number[] = [];
    const seeked: number[] = [];
    let wrong = 0;
    let missed = 0;
    for (let i = 0; i < opts.seeks; i++) {
      const isNear = i % 5 === 4;
      let target = 0;
      for (let attempt = 0; attempt < 100; attempt++) {
        target = isNear
          ? Math.min(last - 0.05, Math.max(0, previous + (random() < 0.5 ? -1 : 1) * (2 + random() * 13)))
          : random() * (last - 0.05);
        const farEnough = isNear || Math.abs(target - previous) > last / 4;
        // Land on another frame than the one shown: a seek within the shown frame presents nothing new.
        if (farEnough && frameAt(times, target) !== previousFrame) break;
      }
      const expected = times[frameAt(times, target)];
      const sample = await page.evaluate(({ target, expected }) => new Promise<SeekSample>((resolve) => {
        const video = document.querySelector<HTMLVideoElement>("#video")!;
        const sample: SeekSample = { frameMs: -1, seekedMs: -1, mediaTime: Number.NaN, wrongFrames: 0 };
        let waiting = 2;
        const settle = () => {
          if (--waiting === 0) resolve(sample);
        };
        video.addEventListener("seeked", () => {
          sample.seekedMs = performance.now() - start;
          settle();
        }, { once: true });
        const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
          if (Math.abs(meta.mediaTime - expected) < 0.002) {
            sample.frameMs = performance.now() - start;
            sample.mediaTime = meta.mediaTime;
            settle();
          } else {
            sample.wrongFrames++;
            video.requestVideoFrameCallback(onFrame);
          }
        };
        video.requestVideoFrameCallback(onFrame);
        setTimeout(() => resolve(sample), 10_000);
        const start = performance.now();
        video.currentTime = target;
      }), { target, expected });
      if (sample.frameMs < 0) missed++;
      else {
        all.push(sample.frameMs);
        (isNear ? near : far).push(sample.frameMs);
      }
      if (sample.wrongFrames > 0) wrong++;
      if (sample.seekedMs >= 0) seeked.push(sample.seekedMs);
      log(`seek ${String(i + 1).padStart(2)}: ${previous.toFixed(1).padStart(7)} s → ${target.toFixed(1).padStart(7)} s (frame ${expected.toFixed(3)}): seeked ${sample.seekedMs.toFixed(0)} ms, frame ${sample.frameMs.toFixed(0)} ms${sample.wrongFrames ? `, ${sample.wrongFrames} other frame(s) first` : ""}`);
      previous = target;
      previousFrame = frameAt(times, target);
    }
    return {
      durationS: size.duration, width: size.width, height: size.height, frames: times.length,
      keyframes: table.samples.filter((s) => s.isKey).length, mp4Mb: mp4.length / 2 ** 20, prepareSeconds, importSeconds, importNote,
      frame: stats(all), far: stats(far), near: stats(near), seeked: stats(seeked), wrong, missed,
    };
  } finally {
    await browser.close();
    await server.dispose();
  }
}

// ---- 2. Live latency --------------------------------------------------------------------------------------

export interface LiveLatencyOptions {
  changes: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface LiveLatencyResult {
  changes: number;
  /** Sent into the ingest socket → first presented frame of the live page showing the tile, ms. */
  latency: Stats;
  /** Changes never seen on the page. */
  missed: number;
  /** |page clock − bench clock| as measured, and the round trip bounding that measurement, ms. */
  clockOffsetMs: number;
  clockUncertaintyMs: number;
}

const MARK = { left: 1920 - 64 * 4, top: 64 * 3, size: 64 };
const MARK_RECT: Rect = { left: MARK.left, top: MARK.top, right: MARK.left + MARK.size, bottom: MARK.top + MARK.size };

/** Distinct saturated colours: every channel 0, 128 or 255 (any two differ by ≥ 127 in some channel); no greys. */
function markColours(): Array<[number, number, number]> {
  const levels = [0, 128, 255];
  const out: Array<[number, number, number]> = [];
  for (const r of levels) for (const g of levels) for (const b of levels) if (!(r === g && g === b)) out.push([r, g, b]);
  const random = rng(5);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function solidTile([r, g, b]: readonly [number, number, number]): Uint8Array {
  const canvas = createCanvas(MARK.size, MARK.size);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
  ctx.fillRect(0, 0, MARK.size, MARK.size);
  const png = new Uint8Array(canvas.toBuffer("image/png"));
  return encodeMessage({ type: MessageType.PNGFrame, left: MARK_RECT.left, top: MARK_RECT.top, right: MARK_RECT.right, bottom: MARK_RECT.bottom, png });
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** The office capture up to its resize, without the tiles that would paint over the marked place. */
function background(records: readonly TdpcapRecord[]): TdpcapRecord[] {
  const out: TdpcapRecord[] = [];
  let specs = 0;
  for (const r of records) {
    const msg = decodeMessage(r.data);
    if (msg.type === MessageType.ClientScreenSpec && ++specs > 1) break;
    if ((msg.type === MessageType.PNGFrame || msg.type === MessageType.PNG2Frame) && overlaps(tileRect(msg), MARK_RECT)) continue;
    out.push(r);
  }
  return out;
}

const epochNow = () => performance.timeOrigin + performance.now();

/** The page clock minus the bench clock (both epoch ms), from the tightest of a few round trips. */
async function clockOffset(page: Page): Promise<{ offset: number; roundTrip: number }> {
  let best = { offset: 0, roundTrip: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 15; i++) {
    const before = epochNow();
    const inPage = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = epochNow();
    if (after - before < best.roundTrip) best = { offset: inPage - (before + after) / 2, roundTrip: after - before };
  }
  return best;
}

type Observation = [at: number, r: number, g: number, b: number];

/**
 * A 1920x1080 office session streams in real time into the ingest socket; a 64x64 tile at a fixed place (where the
 * office tiles are left out) changes to a new solid colour every 1.5–3 s. The live page (logged in as an auditor)
 * draws the marked place of every presented frame (requestVideoFrameCallback) onto a canvas and notes its colour and
 * the time; latency = send time → first presented frame with that colour.
 */
export async function benchLiveLatency(opts: LiveLatencyOptions): Promise<LiveLatencyResult> {
  const log = opts.log ?? (() => undefined);
  const colours = markColours();
  if (opts.changes > colours.length) throw new RangeError(`at most ${colours.length} changes`);
  const backgroundRecords = background(await cachedOfficeCapture(opts.seed ?? 21, 180));
  const { server, browser, page } = await serverAndBrowser();
  const sessionId = crypto.randomUUID();
  let stop = false;
  try {
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-LIVE-LATENCY", user: "alice", session_id: sessionId });
    const grey = solidTile([96, 96, 96]);
    const t0 = performance.now();
    let greySent = false;
    const replay = (async () => {
      for (const r of backgroundRecords) {
        if (stop) return;
        const due = r.delayMs - (performance.now() - t0);
        if (due > 2) await Bun.sleep(due);
        client.send(r.data);
        if (!greySent && decodeMessage(r.data).type === MessageType.ClientScreenSpec) {
          client.send(grey);
          greySent = true;
        }
      }
    })();
    await waitFor("the live recording", async () => (await server.get(`/v1/recordings/${sessionId}`)).ok || undefined, 20_000);
    await page.goto(`${server.url}/recordings/${sessionId}`);
    await page.waitForFunction(() => {
      const d = document.getElementById("player")!.dataset;
      return d.mode === "live" && d.live === "true";
    }, null, { timeout: 30_000 });
    // Watch every presented frame of whichever element is the player's #video (joining live swaps elements).
    await page.evaluate((mark) => {
      const store = window as unknown as { markObservations: Array<[number, number, number, number]> };
      store.markObservations = [];
      const canvas = document.createElement("canvas");
      canvas.width = 16;
      canvas.height = 16;
      const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
      let watched: HTMLVideoElement | null = null;
      const watch = (video: HTMLVideoElement) => {
        const onFrame = () => {
          if (document.getElementById("video") !== video) return;
          const at = performance.timeOrigin + performance.now();
          ctx.drawImage(video, mark.left + 24, mark.top + 24, 16, 16, 0, 0, 16, 16);
          const px = ctx.getImageData(0, 0, 16, 16).data;
          const sum = [0, 0, 0];
          for (let i = 0; i < px.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += px[i + c];
          store.markObservations.push([at, sum[0] / 256, sum[1] / 256, sum[2] / 256]);
          video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      };
      setInterval(() => {
        const current = document.querySelector<HTMLVideoElement>("#video");
        if (current && current !== watched) {
          watched = current;
          watch(current);
        }
      }, 20);
    }, MARK);
    await Bun.sleep(2000);
    const offsetBefore = await clockOffset(page);

    const random = rng(opts.seed ?? 21);
    const sent: Array<{ at: number; colour: [number, number, number] }> = [];
    for (let i = 0; i < opts.changes; i++) {
      const colour = colours[i];
      const tile = solidTile(colour);
      const at = epochNow();
      client.send(tile);
      sent.push({ at, colour });
      await Bun.sleep(1500 + random() * 1500);
    }
    await Bun.sleep(4000);
    const offsetAfter = await clockOffset(page);
    const observations = await page.evaluate(() => (window as unknown as { markObservations: Observation[] }).markObservations);
    stop = true;
    await replay;
    await client.close();

    const offset = (offsetBefore.offset + offsetAfter.offset) / 2;
    const latencies: number[] = [];
    let missed = 0;
    for (const [i, s] of sent.entries()) {
      const seen = observations.find(([at, r, g, b]) => at - offset >= s.at &&
        Math.max(Math.abs(r - s.colour[0]), Math.abs(g - s.colour[1]), Math.abs(b - s.colour[2])) <= 48);
      if (!seen) {
        missed++;
        log(`live change ${i + 1}: rgb(${s.colour.join(",")}) never shown`);
        continue;
      }
      latencies.push(seen[0] - offset - s.at);
      log(`live change ${i + 1}: rgb(${s.colour.join(",")}) shown after ${(seen[0] - offset - s.at).toFixed(0)} ms`);
    }
    return {
      changes: opts.changes, latency: stats(latencies), missed,
      clockOffsetMs: Math.abs(offset), clockUncertaintyMs: Math.max(offsetBefore.roundTrip, offsetAfter.roundTrip) / 2,
    };
  } finally {
    stop = true;
    await browser.close();
    await server.dispose();
  }
}

// ---- 3. The recordings list with 100 000 recordings ---------------------------------------------------------

export interface ListLoadOptions {
  count: number;
  /** Loads per page variant: the first third with an empty browser cache, the rest warm. */
  loads: number;
  log?: (line: string) => void;
}

export interface ListVariant {
  label: string;
  path: string;
  /** Recordings the filter matches (all pages). */
  matches: number;
  /** Navigation start → first table row in the DOM, ms. */
  firstRow: Stats;
  cold: Stats;
  warm: Stats;
  /** Navigation start → the frame after the first row appeared (painted), ms. */
  painted: Stats;
}

export interface ListLoadResult {
  count: number;
  fillSeconds: number;
  variants: ListVariant[];
}

const FIRST_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olga", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe"];

interface Catalogued extends NewRecording { desktopName: string; login: string }

/** Sessions over the last year up to now, newest last: 200 users, 500 desktops, 1 min – 3 h, a quarter SSH. */
function catalogRows(count: number): Catalogued[] {
  const random = rng(77);
  const pick = (n: number) => Math.floor(random() * n);
  const now = Date.now();
  const spacing = (365 * 86_400_000) / count;
  const rows: Catalogued[] = [];
  let start = now - 365 * 86_400_000;
  for (let i = 0; i < count; i++) {
    start += random() * 2 * spacing;
    const user = `${FIRST_NAMES[pick(FIRST_NAMES.length)]}.${String(pick(10)).padStart(2, "0")}`;
    const ssh = random() < 0.25;
    const durationMs = 60_000 + Math.floor(random() * random() * 3 * 3_600_000);
    const live = start + durationMs > now && random() < 0.5;
    const failed = !live && random() < 0.01;
    const hex = (n: number) => Array.from({ length: n }, () => pick(16).toString(16)).join("");
    rows.push({
      id: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
      kind: ssh ? "ssh" : "desktop",
      user,
      login: ssh ? "root" : "Administrator",
      desktopName: ssh ? "" : `WIN-${["FIN", "HR", "DEV", "OPS", "SALES"][pick(5)]}-${String(pick(100)).padStart(3, "0")}`,
      desktopAddr: `10.${pick(4)}.${pick(256)}.${pick(256)}:${ssh ? 22 : 3389}`,
      cluster: "deskreel",
      startMs: Math.round(start),
      endMs: live ? null : Math.round(start + durationMs),
      durationMs: live ? 0 : durationMs,
      status: live ? "live" : failed ? "failed" : "complete",
      width: ssh ? 0 : 1920,
      height: ssh ? 0 : 1080,
      videoState: ssh ? "none" : live ? "encoding" : failed ? "failed" : "ready",
      videoDurationMs: ssh || live ? 0 : durationMs,
      videoBytes: ssh || live ? 0 : Math.round(durationMs * 12),
      participants: random() < 0.1 ? [user, `${FIRST_NAMES[pick(FIRST_NAMES.length)]}.${String(pick(10)).padStart(2, "0")}`] : [user],
    });
  }
  return rows;
}

interface FirstRowTimes { row: number; painted: number }

/**
 * A fresh server's catalog filled with `count` recordings (createRecordings, 5000 a transaction), then the list page
 * loaded in Chromium, logged in as an auditor: unfiltered, filtered by user, searched by desktop name, and searched
 * by the start of an old session's id (few matches, so the search looks through everything).
 */
export async function benchListLoad(opts: ListLoadOptions): Promise<ListLoadResult> {
  const log = opts.log ?? (() => undefined);
  const rows = catalogRows(opts.count);
  const { server, browser, page } = await serverAndBrowser();
  try {
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += 5000) await server.services.catalog.createRecordings(rows.slice(i, i + 5000));
    const fillSeconds = (performance.now() - t0) / 1000;
    log(`list: ${rows.length} recordings added in ${fillSeconds.toFixed(1)} s`);

    const oneUser = rows[Math.floor(rows.length / 2)].user;
    const oneDesktop = rows.find((r) => r.kind === "desktop")!.desktopName;
    const oldId = rows[Math.floor(rows.length / 10)].id.slice(0, 13);
    const count = (match: (r: Catalogued) => boolean) => rows.filter(match).length;
    const lower = (s: string) => s.toLowerCase();
    const matchesQ = (q: string) => (r: Catalogued) =>
      [r.user, r.login, r.desktopName, r.desktopAddr ?? "", r.id].some((field) => lower(field).includes(lower(q)));
    const variants: Array<{ label: string; path: string; matches: number }> = [
      { label: "all recordings", path: "/", matches: rows.length },
      { label: `user=${oneUser}`, path: `/?user=${encodeURIComponent(oneUser)}`, matches: count((r) => r.user === oneUser || (r.participants ?? []).includes(oneUser)) },
      { label: `q=${oneDesktop} (desktop name)`, path: `/?q=${encodeURIComponent(oneDesktop)}`, matches: count(matchesQ(oneDesktop)) },
      { label: `q=${oldId} (old session id)`, path: `/?q=${encodeURIComponent(oldId)}`, matches: count(matchesQ(oldId)) },
    ];

    // In every document, before the page's own scripts: note when the first row appears, and the frame after.
    await page.addInitScript(() => {
      const store = window as unknown as { firstRow?: { row: number; painted: number } };
      const observer = new MutationObserver(() => {
        if (!document.querySelector("#recordings-body tr[data-id]")) return;
        observer.disconnect();
        const row = performance.now();
        requestAnimationFrame(() => setTimeout(() => (store.firstRow = { row, painted: performance.now() }), 0));
      });
      observer.observe(document, { childList: true, subtree: true });
    });
    const cdp = await page.context().newCDPSession(page);
    const coldLoads = Math.max(1, Math.round(opts.loads / 3));
    const out: ListVariant[] = [];
    for (const v of variants) {
      const first: number[] = [];
      const cold: number[] = [];
      const warm: number[] = [];
      const painted: number[] = [];
      for (let i = 0; i < opts.loads; i++) {
        const isCold = i < coldLoads;
        if (isCold) await cdp.send("Network.clearBrowserCache");
        await page.goto(`${server.url}${v.path}`);
        const times = await (await page.waitForFunction(
          () => (window as unknown as { firstRow?: FirstRowTimes }).firstRow, null, { timeout: 30_000 },
        )).jsonValue() as FirstRowTimes;
        first.push(times.row);
        painted.push(times.painted);
        (isCold ? cold : warm).push(times.row);
      }
      const shown = await page.$$eval("#recordings-body tr[data-id]", (trs) => trs.length);
      log(`list ${v.label}: ${v.matches} match, ${shown} rows shown; first row ${first.map((t) => t.toFixed(0)).join(", ")} ms`);
      out.push({ ...v, firstRow: stats(first), cold: stats(cold), warm: stats(warm), painted: stats(painted) });
    }
    await cdp.detach();
    return { count: rows.length, fillSeconds, variants: out };
  } finally {
    await browser.close();
    await server.dispose();
  }
}

// ---- direct run -----------------------------------------------------------------------------------------------

if (import.meta.main) {
  const quick = process.argv.includes("--quick");
  const picked = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const want = (name: string) => picked.length === 0 || picked.includes(name);
  const log = (line: string) => console.log(line);
  const ms = (s: Stats) => `p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms, max ${s.max.toFixed(0)} ms (n=${s.n})`;
  if (want("list")) {
    const r = await benchListLoad({ count: 100_000, loads: quick ? 6 : 10, log });
    for (const v of r.variants) console.log(`${v.label}: first row ${ms(v.firstRow)}; cold p50 ${v.cold.p50.toFixed(0)}, warm p50 ${v.warm.p50.toFixed(0)}; painted p50 ${v.painted.p50.toFixed(0)}`);
  }
  if (want("live")) {
    const r = await benchLiveLatency({ changes: quick ? 10 : 20, log });
    console.log(`live latency: ${ms(r.latency)}, missed ${r.missed}; clock offset ${r.clockOffsetMs.toFixed(1)} ± ${r.clockUncertaintyMs.toFixed(1)} ms`);
  }
  if (want("seek")) {
    const r = await benchSeek({ durationS: quick ? 600 : 3600, seeks: quick ? 20 : 40, log });
    console.log(`seek (${r.width}x${r.height}, ${r.durationS.toFixed(0)} s, ${r.frames} frames, ${r.keyframes} keyframes, ${r.mp4Mb.toFixed(1)} MB): frame ${ms(r.frame)}; far ${ms(r.far)}; near ${ms(r.near)}; seeked ${ms(r.seeked)}; wrong ${r.wrong}, missed ${r.missed}; import ${r.importSeconds.toFixed(1)} s${r.importNote ? ` (${r.importNote})` : ""}`);
  }
  process.exit(0);
}
