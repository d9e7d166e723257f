// Seek-bar previews: what they cost. Storage per session-hour (the JPEG sheets and index.json under
// video/<id>/previews/) of two imported recordings — a synthetic 1080p office session and the 720p sample
// capture — scaled to an hour, beside the MP4 of the same recording (the peer in the same run). Then the worker
// time of making the tiles: PreviewSheets on a Compositor fed with the office session's pictures, as an import
// makes them (a sheet encoded once per 100 tiles) and as a live session does (the sheet encoded again after every
// tile), against the whole import's CPU time.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { PreviewIndexView } from "../../src/api/previews.ts";
import { Compositor } from "../../src/video/compose/compositor.ts";
import { videoSizeFor } from "../../src/video/compose/fit.ts";
import { LIVE_SHEET_EVERY_MS, PreviewSheets } from "../../src/video/compose/previewSheets.ts";
import { decodePicture } from "../../src/tdp/picture.ts";
import type { TdpcapRecord } from "../../src/tdp/tdpcap.ts";
import { sampleRecords } from "../../test/support/corpus.ts";
import { recordingOf } from "../../test/support/recordings.ts";
import { startTestServer, waitFor } from "../../test/support/server.ts";
import { officeCapture } from "../server.ts";
import { f, Lines, type BenchSection } from "./common.ts";

interface Stored {
  sessionSeconds: number;
  previewBytes: number;
  sheets: number;
  tiles: number;
  mp4Bytes: number;
  importCpuSeconds: number;
}

/** Imports the recording into a fresh server and measures what its previews take on disk. */
async function importedPreviews(records: readonly TdpcapRecord[], name: string): Promise<Stored> {
  const file = await recordingOf(records, `bench-previews-${name}`);
  const server = await startTestServer({ DESKREEL_VIDEO_WORKERS: "2" });
  try {
    const cpu0 = process.cpuUsage();
    const res = await fetch(`${server.url}/v1/recordings/import`, { method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file) });
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    const item = await waitFor(`video of ${id}`, async () => {
      const it = await server.json<{ status: string; duration_ms: number; video: { state: string; bytes: number } }>(`/v1/recordings/${id}`);
      return it.status !== "live" && it.video.state !== "encoding" ? it : undefined;
    }, 900_000);
    const cpu = process.cpuUsage(cpu0);
    const index = await server.json<PreviewIndexView>(`/v1/recordings/${id}/previews`);
    const dir = join(server.dataDir, "blobs", "video", id, "previews");
    let previewBytes = 0;
    for (const name of await readdir(dir)) previewBytes += (await stat(join(dir, name))).size;
    return {
      sessionSeconds: item.duration_ms / 1000, previewBytes, sheets: index.sheets.length,
      tiles: index.sheets.reduce((n, s) => n + s.tiles.length, 0), mp4Bytes: item.video.bytes,
      importCpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    await server.dispose();
  }
}

/** Worker time of making tiles from these pictures: ms per tile (JPEG encoding of sheets included). */
async function tileCost(records: readonly TdpcapRecord[], live: boolean): Promise<{ tiles: number; msPerTile: number }> {
  const compositor = new Compositor();
  const sheets = new PreviewSheets({ live, prefix: "0-" });
  /** Tiles per sheet, as last sent (a live sheet is sent again as it grows). */
  const tilesOf = new Map<string, number>();
  let busyMs = 0;
  for (const record of records) {
    const picture = decodePicture(record.data);
    if (!picture) continue;
    compositor.apply(picture);
    const screen = compositor.screenSize;
    if (!screen) continue;
    const t0 = performance.now();
    const out = await sheets.add(record.delayMs, compositor, videoSizeFor(screen));
    busyMs += performance.now() - t0;
    for (const sheet of out) tilesOf.set(sheet.sheet, sheet.tiles.length);
  }
  const t0 = performance.now();
  const last = await sheets.finish();
  busyMs += performance.now() - t0;
  if (last) tilesOf.set(last.sheet, last.tiles.length);
  compositor.release();
  const tiles = [...tilesOf.values()].reduce((a, b) => a + b, 0);
  return { tiles, msPerTile: busyMs / Math.max(1, tiles) };
}

const perHour = (value: number, seconds: number) => (value / seconds) * 3600;
const mib = (bytes: number) => bytes / 2 ** 20;

const section: BenchSection = {
  name: "previews",
  title: "Seek-bar previews: storage and worker time",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const officeSeconds = quick ? 60 : 300;
    const office = await officeCapture(7, officeSeconds);
    out("Imported with `POST /v1/recordings/import` into a fresh server (2 video workers); previews = every JPEG sheet and index.json under `video/<id>/previews/` (160-px tiles, ≤ 1 per 2 s of session time while the screen changes, 10×10 per sheet); scaled to a session-hour; the MP4 of the same recording beside it.");
    out();
    out("| recording | session s | tiles | sheets | previews bytes | previews MiB / session-hour | MP4 MiB / session-hour | previews / MP4 |");
    out("|---|---|---|---|---|---|---|---|");
    const stored: Array<[string, Stored]> = [];
    for (const [label, records, name] of [[`1080p office (synthetic, ${officeSeconds} s)`, office, "office"], ["sample-720 (real capture)", sampleRecords(), "sample"]] as const) {
      const s = await importedPreviews(records, name);
      stored.push([label, s]);
      out(`| ${label} | ${f(s.sessionSeconds)} | ${s.tiles} | ${s.sheets} | ${s.previewBytes} | **${f(mib(perHour(s.previewBytes, s.sessionSeconds)), 2)}** | ${f(mib(perHour(s.mp4Bytes, s.sessionSeconds)))} | ${f((100 * s.previewBytes) / s.mp4Bytes, 2)} % |`);
    }
    out();
    const officeImport = stored[0]![1];
    const vod = await tileCost(office, false);
    const live = await tileCost(office, true);
    const tilesPerHour = perHour(vod.tiles, officeImport.sessionSeconds);
    out(`Worker time for tiles, the ${officeSeconds} s office session's pictures through PreviewSheets on one thread (drawing the 1080p screen into a 160-px tile, JPEG-encoding sheets): ${vod.tiles} tiles.`);
    out(`- as an import makes them (a sheet encoded when full): **${f(vod.msPerTile, 2)} ms per tile** → ${f((tilesPerHour * vod.msPerTile) / 1000, 1)} CPU-s per session-hour; this import's whole CPU time (decode, compose, encode, previews) was ${f(officeImport.importCpuSeconds, 1)} s, so tiles are about ${f((100 * vod.tiles * vod.msPerTile) / 1000 / officeImport.importCpuSeconds, 1)} % of it.`);
    out(`- as a live session makes them (the sheet encoded with its first tile, then at most every ${LIVE_SHEET_EVERY_MS / 1000} s and when full, so viewers see new tiles): **${f(live.msPerTile, 2)} ms per tile**, at most one tile per 2 s = ${f(live.msPerTile / 20, 2)} % of one core per live session.`);
    out();
    out("Reproduce: `bun run bench -- --only previews`.");
    return lines;
  },
};

export default section;
