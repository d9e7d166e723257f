// Seek-bar previews made by the video pipeline: an import's sheets show what its MP4 shows at each tile's
// time; a live session's previews appear and grow while it runs; deleting the recording removes them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { PreviewIndexView } from "../../src/api/previews.ts";
import type { RecordingDetail } from "../../src/api/recordings.ts";
import { sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { rgbPsnr, tileRgb, videoRgbAt } from "../support/previewCheck.ts";
import { recordingOf } from "../support/recordings.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);

afterAll(async () => {
  await server?.dispose();
});

describe("an imported recording's previews", () => {
  const ID = "prev-import-0001";
  let index: PreviewIndexView;
  let mp4: string;

  beforeAll(async () => {
    const file = await recordingOf(sampleUntil(30_000), ID, "WIN-PREV");
    const res = await fetch(`${server.url}/v1/recordings/import`, {
      method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file),
    });
    expect(res.status).toBe(201);
    await waitFor("the import's video", async () => {
      const it = await server.json<RecordingDetail>(`/v1/recordings/${ID}`);
      return it.video.state === "ready" ? it : undefined;
    }, 180_000);
    // The MP4 is listed first; the last sheet is stored a moment later, and the index says when it is.
    index = await waitFor("the complete preview index", async () => {
      const it = await server.json<PreviewIndexView>(`/v1/recordings/${ID}/previews`);
      return it.complete ? it : undefined;
    }, 30_000);
    mp4 = join(server.dataDir, "prev.mp4");
    await Bun.write(mp4, await (await server.get(`/v1/recordings/${ID}/video.mp4`)).arrayBuffer());
  }, 240_000);

  test("the index lists tiles in time order, at most one per interval, 160 px wide", () => {
    const tiles = index.sheets.flatMap((s) => s.tiles);
    expect(tiles.length).toBeGreaterThanOrEqual(5);
    expect(tiles[0]).toBeLessThan(1000);
    for (let i = 1; i < tiles.length; i++) expect(Math.floor(tiles[i]! / index.interval_ms)).toBeGreaterThan(Math.floor(tiles[i - 1]! / index.interval_ms));
    for (const s of index.sheets) {
      expect(s.tile_width).toBe(160);
      expect(s.tile_height).toBe(90); // 1280×720
    }
  });

  test("each tile shows what the MP4 shows at the tile's time (PSNR over RGB, tile size)", async () => {
    const sheet = index.sheets[0]!;
    const image = new Uint8Array(await (await server.get(sheet.url)).arrayBuffer());
    const results: number[] = [];
    for (const i of [0, Math.floor(sheet.tiles.length / 2), sheet.tiles.length - 1]) {
      const tile = { x: (i % sheet.columns) * sheet.tile_width, y: Math.floor(i / sheet.columns) * sheet.tile_height, width: sheet.tile_width, height: sheet.tile_height };
      const shown = await tileRgb(image, tile);
      const truth = await videoRgbAt(mp4, sheet.tiles[i]!, sheet.tile_width, sheet.tile_height);
      results.push(rgbPsnr(shown, truth));
    }
    console.log(`preview tile PSNR against the MP4: ${results.map((p) => p.toFixed(1)).join(", ")} dB`);
    for (const p of results) expect(p).toBeGreaterThan(28);
  }, 60_000);

  test("a tile at another moment does not match (the check can fail)", async () => {
    const sheet = index.sheets[0]!;
    const image = new Uint8Array(await (await server.get(sheet.url)).arrayBuffer());
    const shown = await tileRgb(image, { x: 0, y: 0, width: sheet.tile_width, height: sheet.tile_height });
    const later = await videoRgbAt(mp4, sheet.tiles.at(-1)!, sheet.tile_width, sheet.tile_height);
    const same = await videoRgbAt(mp4, sheet.tiles[0]!, sheet.tile_width, sheet.tile_height);
    expect(rgbPsnr(shown, same)).toBeGreaterThan(rgbPsnr(shown, later) + 3);
  }, 60_000);

  test("sheet names are checked; other users' recordings stay closed", async () => {
    expect((await server.get(`/v1/recordings/${ID}/previews/..%2F..%2Frecordings.jpg`)).status).toBe(400);
    expect((await server.get(`/v1/recordings/${ID}/previews/9-9.jpg`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/recordings/${ID}/previews`)).status).toBe(401);
    const userToken = await server.services.auth.createToken("prev-user", "user");
    expect((await server.get(`/v1/recordings/${ID}/previews`, { authorization: `Bearer ${userToken}` })).status).toBe(403);
  });
});

describe("a live session's previews", () => {
  test("appear while the session runs and grow", async () => {
    const ID = "prev-live-0001";
    const records = sampleUntil(12_000);
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-PREV-LIVE", user: "alice", session_id: ID });
    const sending = client.replay(records, 1);
    const tilesNow = async () => (await server.json<PreviewIndexView>(`/v1/recordings/${ID}/previews`)).sheets.reduce((n, s) => n + s.tiles.length, 0);
    const first = await waitFor("a first live preview tile", async () => ((await tilesNow()) > 0 ? tilesNow() : undefined), 30_000);
    const grown = await waitFor("more live preview tiles", async () => {
      const n = await tilesNow();
      return n > first ? n : undefined;
    }, 30_000);
    expect((await server.json<RecordingDetail>(`/v1/recordings/${ID}`)).status).toBe("live");
    expect(grown).toBeGreaterThan(first);
    const sheet = (await server.json<PreviewIndexView>(`/v1/recordings/${ID}/previews`)).sheets[0]!;
    const res = await server.get(sheet.url);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(500);
    expect((await server.json<PreviewIndexView>(`/v1/recordings/${ID}/previews`)).complete).toBe(false);
    await sending;
    await client.close();
    const final = await waitFor("the complete index after the end", async () => {
      const it = await server.json<PreviewIndexView>(`/v1/recordings/${ID}/previews`);
      return it.complete ? it : undefined;
    }, 30_000);
    expect(final.sheets.reduce((n, s) => n + s.tiles.length, 0)).toBeGreaterThanOrEqual(grown);
  }, 90_000);
});
