// The whole server under load, as users run it: synthetic 1920x1080 office desktops stream into the
// ingest WebSocket at real time while the server records them and makes their video. Measures how many
// sessions stay real time (encode lag p99 < 2 s), CPU-seconds per session-minute, MP4 and recording size,
// RSS per session (minute 1 and, from an accelerated replay, minute 30), time from session end to a
// finished MP4, and import speed as a multiple of real time.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { heapStats } from "bun:jsc";
import { writeDemoCapture } from "../tools/demo/session.ts";
import { readTdpcap, type TdpcapRecord } from "../src/tdp/tdpcap.ts";
import { IngestClient } from "../test/support/ingestClient.ts";
import { recordingOf } from "../test/support/recordings.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../test/support/server.ts";

const CACHE = join(tmpdir(), "deskreel-bench");

/** A cached synthetic office session (1920x1080) of `durationS` seconds. */
export async function officeCapture(seed: number, durationS: number): Promise<TdpcapRecord[]> {
  return readTdpcap(new Uint8Array(readFileSync(await officeCapturePath(seed, durationS))));
}

/** The cached office session's .tdpcap file, made on first use. */
export async function officeCapturePath(seed: number, durationS: number): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `office-1080-${seed}-${durationS}.tdpcap`);
  if (!existsSync(path)) await writeDemoCapture(path, { width: 1920, height: 1080, durationS, seed });
  return path;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const mb = (bytes: number) => bytes / 1024 / 1024;

interface Item { id: string; status: string; duration_ms: number; video: { state: string; bytes: number } }

async function finishedItem(server: TestServer, id: string, timeoutMs = 120_000): Promise<Item> {
  return waitFor(`video of ${id}`, async () => {
    const item = await server.json<Item>(`/v1/recordings/${id}`);
    return item.status !== "live" && item.video.state !== "encoding" ? item : undefined;
  }, timeoutMs);
}

export interface LiveRun {
  sessions: number;
  sessionSeconds: number;
  p99LagMs: number;
  maxLagMs: number;
  realTime: boolean;
  cpuSecondsPerSessionMinute: number;
  rssPerSessionMb: number;
  mp4MbPerSessionHour: number;
  recordingMbPerSessionHour: number;
  endToReadyMsMax: number;
  droppedFrames: number;
}

/** N sessions streamed at `speed` × real time into one server; lag sampled from the encoder pool. */
/** Memory of the whole process at a session minute: JS heap after a full collection, and RSS (both MB above the start). */
export interface MemorySample {
  minute: number;
  heapMb: number;
  rssMb: number;
}

export async function benchLive(
  sessions: number,
  durationS: number,
  speed = 1,
  memoryEveryMin = 0,
  env: Record<string, string> = {},
  /** What session i sends (default: a synthetic 1080p office desktop of `durationS`). */
  captureFor: (i: number) => Promise<TdpcapRecord[]> = (i) => officeCapture(100 + i, durationS),
): Promise<LiveRun & { rssMinute1Mb: number; rssEndMb: number; memory: MemorySample[] }> {
  const captures = await Promise.all(Array.from({ length: sessions }, (_, i) => captureFor(i)));
  const server = await startTestServer({ DESKREEL_VIDEO_WORKERS: "2", ...env });
  try {
    // Warm up: one short session starts the workers and their WASM encoders, so the baseline includes them.
    const warm = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-WARMUP", user: "warmup" });
    await warm.replay(captures[0].filter((r) => r.delayMs <= 2000), 10);
    await warm.close();
    Bun.gc(true);
    await Bun.sleep(500);
    const rssBase = process.memoryUsage().rss;
    const heapBase = heapStats().heapSize;
    const memory: MemorySample[] = [];
    const sampleMemory = (minute: number) => {
      Bun.gc(true);
      memory.push({ minute, heapMb: mb(heapStats().heapSize - heapBase), rssMb: mb(process.memoryUsage().rss - rssBase) });
    };
    const cpu0 = process.cpuUsage();
    const lags: number[] = [];
    let rssMinute1 = 0;
    let dropped = 0;
    const t0 = performance.now();
    const sampler = setInterval(() => {
      for (const s of server.services.pool.stats().sessions) {
        lags.push(s.lagMs);
        dropped = Math.max(dropped, s.droppedFrames);
      }
      const sessionMinutes = ((performance.now() - t0) * speed) / 60_000;
      if (rssMinute1 === 0 && sessionMinutes >= 1) rssMinute1 = process.memoryUsage().rss;
      if (memoryEveryMin > 0) {
        const due = memory.length === 0 ? 1 : memory.length * memoryEveryMin;
        if (sessionMinutes >= due) sampleMemory(due);
      }
    }, 250);
    const clients = await Promise.all(
      captures.map((_, i) => IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: `WIN-BENCH-${i}`, user: `user${i}` })),
    );
    // Sessions do not start in step: stagger them over a second.
    await Promise.all(clients.map(async (c, i) => {
      await Bun.sleep((i * 1000) / sessions);
      await c.replay(captures[i], speed);
    }));
    const rssEnd = process.memoryUsage().rss;
    const ends = clients.map(async (c) => {
      const closedAt = performance.now();
      await c.close();
      return closedAt;
    });
    const closedAts = await Promise.all(ends);
    clearInterval(sampler);
    const page = await server.json<{ items: Item[] }>(`/v1/recordings?limit=500&q=WIN-BENCH`);
    const readyTimes: number[] = [];
    const items: Item[] = [];
    for (const it of page.items) {
      items.push(await finishedItem(server, it.id));
      readyTimes.push(performance.now());
    }
    const cpu = process.cpuUsage(cpu0);
    let recordingBytes = 0;
    for (const it of items) recordingBytes += Number((await server.get(`/v1/recordings/${it.id}/recording.tar`, { ...server.auth, range: "bytes=0-0" })).headers.get("content-range")?.split("/")[1] ?? 0);
    const sessionSeconds = items.reduce((sum, it) => sum + it.duration_ms / 1000, 0);
    const p99 = percentile(lags, 99);
    return {
      sessions,
      sessionSeconds,
      p99LagMs: p99,
      maxLagMs: Math.max(0, ...lags),
      realTime: p99 < 2000 && items.every((it) => it.video.state === "ready"),
      cpuSecondsPerSessionMinute: (cpu.user + cpu.system) / 1e6 / (sessionSeconds / 60),
      rssPerSessionMb: mb(rssEnd - rssBase) / sessions,
      rssMinute1Mb: rssMinute1 ? mb(rssMinute1 - rssBase) / sessions : 0,
      rssEndMb: mb(rssEnd - rssBase) / sessions,
      mp4MbPerSessionHour: mb(items.reduce((s, it) => s + it.video.bytes, 0)) / (sessionSeconds / 3600),
      recordingMbPerSessionHour: mb(recordingBytes) / (sessionSeconds / 3600),
      endToReadyMsMax: Math.max(...readyTimes) - Math.max(...closedAts),
      droppedFrames: dropped,
      memory,
    };
  } finally {
    await server.dispose();
  }
}

export interface ImportRun {
  sessionSeconds: number;
  wallSeconds: number;
  timesRealTime: number;
  /** CPU-seconds of the whole process (workers included) from upload to a ready video. */
  cpuSeconds: number;
  /** The MP4's size in bytes. */
  mp4Bytes: number;
}

/** Imports one office session's recording (or `records`) into a fresh server and times it until the video is ready. */
export async function benchImport(durationS: number, env: Record<string, string> = {}, records?: TdpcapRecord[]): Promise<ImportRun> {
  const file = await recordingOf(records ?? (await officeCapture(7, durationS)), `bench-import-${durationS}`);
  const target = await startTestServer({ DESKREEL_VIDEO_WORKERS: "2", ...env });
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const res = await fetch(`${target.url}/v1/recordings/import`, { method: "POST", headers: { ...target.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file) });
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    const item = await finishedItem(target, id, 600_000);
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      sessionSeconds: item.duration_ms / 1000, wallSeconds, timesRealTime: item.duration_ms / 1000 / wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6, mp4Bytes: item.video.bytes,
    };
  } finally {
    await target.dispose();
  }
}

export function clearBenchCache(): void {
  rmSync(CACHE, { recursive: true, force: true });
}
