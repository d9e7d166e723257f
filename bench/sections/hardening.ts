// Hostile input against a real server in this process: peak RSS growth under each bomb of issue #10
// (picture bombs live, gzip bombs on import), and what the new limits cost the recording path.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { encodeOneOf } from "../../src/recording/eventCodec.ts";
import { EventType, blankMetadata, type SessionStartEvent } from "../../src/recording/eventTypes.ts";
import { encodePart } from "../../src/recording/protostream.ts";
import { startServer } from "../../src/server.ts";
import { PictureBudget, picturePixels } from "../../src/sessions/pictureBudget.ts";
import { decodeMessage, encodeMessage } from "../../src/tdp/codec.ts";
import { isPictureMessage, MessageType } from "../../src/tdp/messages.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { MAX_SCREEN_PIXELS } from "../../src/video/compose/fit.ts";
import { blackPng, printBombPart, zeroBombPart } from "../../test/support/bombs.ts";
import { SAMPLE_CAPTURE } from "../../test/support/corpusPath.ts";
import { benchRecording } from "../recording.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const MiB = 1024 * 1024;
const TOKEN = "bench-hardening-admin-token-0123456789";

/** Peak RSS growth (MiB) while `work` runs, sampled every 20 ms, over the RSS after a full collection. */
async function peakGrowth(work: () => Promise<void>): Promise<{ growthMiB: number; ms: number }> {
  Bun.gc(true);
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { growthMiB: (Math.max(peak, process.memoryUsage().rss) - base) / MiB, ms: performance.now() - t0 };
}

async function withServer<T>(use: (url: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "deskreel-bench-hardening-"));
  const server = await startServer(loadConfig({ DESKREEL_DATA: dir, PORT: "0", DESKREEL_ADMIN_TOKEN: TOKEN, DESKREEL_VIDEO_WORKERS: "1" }), { log: () => undefined });
  try {
    return await use(server.url);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function openIngest(url: string, desktop: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace("http", "ws")}/v1/ingest/desktop?desktop=${desktop}&user=bomb&login=x`, { headers: { authorization: `Bearer ${TOKEN}` } } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error("ingest refused")));
  });
  return ws;
}

/** Waits until every recording is complete and its video settled (the bomb's work is over). */
async function settled(url: string, count: number): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const res = await fetch(`${url}/v1/recordings?limit=50`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const page = (await res.json()) as { items: Array<{ status: string; video: { state: string } }> };
    if (page.items.length >= count && page.items.every((it) => it.status !== "live" && it.video.state !== "encoding")) return;
    await Bun.sleep(100);
  }
  throw new Error("recordings did not settle");
}

async function pictureBomb(sessions: number, tiles: number): Promise<{ growthMiB: number; ms: number; sentMB: number }> {
  const width = 7680;
  const height = 2160;
  const tile = encodeMessage({ type: MessageType.PNGFrame, left: 0, top: 0, right: width, bottom: height, png: blackPng(width, height) });
  return withServer(async (url) => {
    // A small session first, so the encoder worker's own start-up is not counted as the bomb's.
    const warm = await openIngest(url, "WARM-UP");
    warm.send(encodeMessage({ type: MessageType.ClientScreenSpec, width: 1280, height: 720 }));
    warm.send(encodeMessage({ type: MessageType.PNGFrame, left: 0, top: 0, right: 64, bottom: 64, png: blackPng(64, 64) }));
    warm.close(1000);
    await settled(url, 1);
    const r = await peakGrowth(async () => {
      const sockets = await Promise.all(Array.from({ length: sessions }, (_, i) => openIngest(url, `BOMB-${i}`)));
      for (const ws of sockets) ws.send(encodeMessage({ type: MessageType.ClientScreenSpec, width, height }));
      for (let i = 0; i < tiles; i++) for (const ws of sockets) ws.send(tile);
      for (const ws of sockets) ws.close(1000);
      await settled(url, sessions + 1);
    });
    return { ...r, sentMB: (sessions * tiles * tile.length) / 1e6 };
  });
}

function sshStartPart(sid: string): Uint8Array {
  const start: SessionStartEvent = {
    ...blankMetadata(), type: EventType.SessionStart, index: 0, time: new Date(1_700_000_000_000), user: "bomb", login: "root",
    sessionId: sid, serverNamespace: "default", serverId: "", serverHostname: "h", serverAddr: "", serverLabels: {},
    localAddr: "", remoteAddr: "", protocol: "ssh", code: "T2000I", terminalSize: "80:25", initialCommand: [], sessionRecording: "node",
  };
  return encodePart([encodeOneOf(start)]);
}

async function importBomb(bombPart: Uint8Array, sid: string): Promise<{ growthMiB: number; ms: number; status: number; fileMB: number }> {
  const file = new Uint8Array([...sshStartPart(sid), ...bombPart]);
  return withServer(async (url) => {
    let status = 0;
    const r = await peakGrowth(async () => {
      const res = await fetch(`${url}/v1/recordings/import`, {
        method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/octet-stream" }, body: file,
      });
      status = res.status;
      await res.arrayBuffer();
    });
    return { ...r, status, fileMB: file.length / 1e6 };
  });
}

/** ns per picture message for the checks ingest now makes (pixel limit + budget), over the sample capture. */
async function limitCostNs(): Promise<{ nsPerPicture: number; pictures: number }> {
  const messages = readTdpcap(await Bun.file(SAMPLE_CAPTURE).bytes()).map((r) => decodeMessage(r.data)).filter(isPictureMessage);
  const budget = new PictureBudget({ pixelsPerSecond: 2e9 });
  let sink = 0;
  const rounds = 20;
  const t0 = Bun.nanoseconds();
  for (let round = 0; round < rounds; round++) {
    for (const m of messages) {
      if (picturePixels(m) > MAX_SCREEN_PIXELS) sink++;
      if (budget.admit(m) !== "send") sink++;
    }
  }
  const ns = (Bun.nanoseconds() - t0) / (rounds * messages.length);
  if (sink < 0) console.log(sink);
  return { nsPerPicture: ns, pictures: messages.length };
}

const section: BenchSection = {
  name: "hardening",
  title: "Hostile input: RSS under the bombs of issue #10, and the cost of the limits",
  async run({ quick }) {
    const { lines, out } = new Lines();
    out("A real server in the bench process (1 encoder worker); peak RSS growth over the idle server, sampled every 20 ms,");
    out("until every recording is complete and its video settled. Issue #10 measured the same bombs before the limits.");
    out();
    out("| bomb | sent | peak RSS growth | stated ceiling | before (issue #10) | outcome |");
    out("|---|---|---|---|---|---|");
    const tiles = quick ? 8 : 24;
    const pb = await pictureBomb(2, tiles);
    out(`| 2 sessions × ${tiles} PNG tiles of 7680×2160 (16.6 MP each) | ${f(pb.sentMB, 1)} MB | ${Math.round(pb.growthMiB)} MiB | 1024 MiB | 6.4 GB peak (2 × 4 tiles of 8192²) | recorded, ${f(pb.ms / 1000, 1)} s to settle |`);
    const huge = await withServer(async (url) => {
      const ws = await openIngest(url, "HUGE");
      const alert = new Promise<boolean>((resolve) => ws.addEventListener("message", () => resolve(true)));
      ws.send(encodeMessage({ type: MessageType.ClientScreenSpec, width: 8192, height: 8192 }));
      const refused = await Promise.race([alert, Bun.sleep(5000).then(() => false)]);
      ws.close(1000);
      return refused;
    });
    out(`| an 8192×8192 screen | 9 B | — | — | 2.34 GB with five 278 KB tiles on it | ${huge ? "refused at ingest (TDP Alert)" : "NOT refused"} |`);
    const zero = await importBomb(zeroBombPart(1024 * MiB), "bench-bomb-zero-0001");
    out(`| import: a part that gunzips to 1 GiB of zeros | ${f(zero.fileMB, 2)} MB | ${Math.round(zero.growthMiB)} MiB | 64 MiB | 2.2 GB peak, 1.15 GB held | ${zero.status} in ${Math.round(zero.ms)} ms |`);
    const records = await importBomb(printBombPart(quick ? 256 * MiB : 1000 * MiB, 1), "bench-bomb-print-0001");
    out(`| import: a part of valid records that gunzips to ${quick ? "256 MiB" : "1000 MiB"} | ${f(records.fileMB, 2)} MB | ${Math.round(records.growthMiB)} MiB | 128 MiB | (same path) | ${records.status} in ${Math.round(records.ms)} ms |`);
    out();
    const cost = await limitCostNs();
    const paced = await benchRecording({ sessions: 8, capturePath: SAMPLE_CAPTURE, speed: 10 });
    out(`Cost of the limits on the recording path (same run): the per-picture checks at ingest (pixel limit, decoded-pixel`);
    out(`budget) take ${f(cost.nsPerPicture, 0)} ns a picture (${cost.pictures} pictures of sample-720, 20 rounds); the recording path's`);
    out(`receipt → durable latency with 8 paced sessions is p50 ${f(paced.durableLatencyMs.p50, 2)} ms, p99 ${f(paced.durableLatencyMs.p99, 2)} ms — the checks are`);
    out(`${f((cost.nsPerPicture / 1e6 / paced.durableLatencyMs.p99) * 100, 4)} % of that p99. Storage healing adds no work while storage is well (one branch when a part is confirmed).`);
    return lines;
  },
};
export default section;
