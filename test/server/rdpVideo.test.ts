// RDP-era sessions (TDP 31 + 29: a real RDP server's fast-path output, rdp-shadow-720) through the whole server:
// imported as a Teleport protostream file, and streamed live into the ingest socket. ffprobe/ffmpeg judge the
// MP4s; the pictures at the capture's truth times are compared with what the RDP client showed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { concatBytes } from "../../src/bytes.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { RDP_SHADOW_CAPTURE } from "../rdp/capture.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { recordingOf } from "../support/recordings.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { decodeAll, probe, type ProbedFile } from "../video/helpers/ffmpeg.ts";
import { describeScores, IMPORT_OFFSETS, LIVE_OFFSETS, liveShortfall, missedExactly, truthScores } from "../video/helpers/rdpTruth.ts";

const records = readTdpcap(new Uint8Array(readFileSync(RDP_SHADOW_CAPTURE)));
const lastMs = records.at(-1)!.delayMs;
const IMPORTED = "rdp-import-0001";
const LIVE = "rdp-live-0001";

interface Item {
  id: string;
  status: string;
  width: number;
  height: number;
  duration_ms: number;
  marker_counts: Record<string, number>;
  video: { state: string; duration_ms: number };
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ DESKREEL_VIDEO_WORKERS: "2" });
});

afterAll(async () => {
  await server?.dispose();
});

async function settled(id: string, timeoutMs: number): Promise<Item> {
  return waitFor(`the video of ${id}`, async () => {
    const it = await server.json<Item>(`/v1/recordings/${id}`);
    return it.status !== "live" && it.video.state !== "encoding" ? it : undefined;
  }, timeoutMs);
}

async function download(id: string, name: string): Promise<string> {
  const path = join(server.dataDir, name);
  await Bun.write(path, await (await server.get(`/v1/recordings/${id}/video.mp4`)).arrayBuffer());
  return path;
}

describe("an RDP-era recording imported as a Teleport protostream file", () => {
  let item: Item;
  let mp4: string;
  let probed: ProbedFile;

  beforeAll(async () => {
    const file = await recordingOf(records, IMPORTED, "WIN-RDP-IMPORT");
    const res = await fetch(`${server.url}/v1/recordings/import`, {
      method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file),
    });
    expect(res.status).toBe(201);
    item = await settled(IMPORTED, 120_000);
    mp4 = await download(IMPORTED, "rdp-import.mp4");
    probed = await probe(mp4);
  }, 180_000);

  test("is listed with the RDP screen's size and a ready video, no alert markers", () => {
    expect(item.status).toBe("complete");
    expect(item.width).toBe(1280);
    expect(item.height).toBe(720);
    expect(item.video.state).toBe("ready");
    expect(item.marker_counts.alert).toBe(0);
  });

  test("the MP4 is 1280×720 H.264 lasting the recording, with a keyframe every few seconds", async () => {
    expect(probed.codec).toBe("h264");
    expect(probed.width).toBe(1280);
    expect(probed.height).toBe(720);
    expect(Math.abs(probed.durationMs - lastMs)).toBeLessThan(200);
    const keys = probed.packets.filter((p) => p.isKey).map((p) => p.ptsMs);
    expect(keys[0]).toBe(probed.packets[0].ptsMs);
    expect(keys.length).toBeGreaterThanOrEqual(Math.floor(lastMs / 3000) - 1);
    // A keyframe at least every 3 s of session once frames flow (the next frame after 3 s is one; frames here
    // are up to ~0.6 s apart). More are fine: the encoder makes one at a scene cut, the two-worker import at its join.
    const gaps = keys.slice(1).map((k, i) => k - keys[i]);
    expect(Math.max(...gaps, probed.durationMs - keys.at(-1)!)).toBeLessThanOrEqual(3600);
    expect(probed.packets.length).toBeGreaterThan(40);
    const decoded = await decodeAll(mp4);
    expect(decoded.code).toBe(0);
    expect(decoded.errors).toBe("");
  }, 60_000);

  test("shows the RDP client's picture at each truth time (luma PSNR >= 33 dB)", async () => {
    const scores = await truthScores(mp4, IMPORT_OFFSETS);
    console.log("imported RDP video vs client:", describeScores(scores));
    expect(missedExactly(scores)).toEqual([]);
  }, 120_000);
});

describe("an RDP-era session streamed live into the ingest socket", () => {
  let item: Item;
  let mp4: string;
  let liveFile: string;
  let gotEnd = false;

  beforeAll(async () => {
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-RDP-LIVE", user: "rita", session_id: LIVE });
    const sending = client.replay(records, 1);
    // A viewer watching live: init segment and fragments as they are made.
    await waitFor("the live session", () => (server.services.live.has(LIVE) ? true : undefined));
    const chunks: Uint8Array[] = [];
    const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/v1/recordings/${LIVE}/live`, { headers: server.auth } as unknown as string[]);
    ws.binaryType = "arraybuffer";
    const closed = new Promise<void>((resolve) => {
      ws.addEventListener("message", (e) => {
        if (e.data instanceof ArrayBuffer) chunks.push(new Uint8Array(e.data));
        else if (String(e.data).includes('"end"')) gotEnd = true;
      });
      ws.addEventListener("close", () => resolve());
    });
    await sending;
    await client.close();
    await closed;
    liveFile = join(server.dataDir, "rdp-live-stream.mp4");
    await Bun.write(liveFile, concatBytes(chunks));
    item = await settled(LIVE, 60_000);
    mp4 = await download(LIVE, "rdp-live.mp4");
  }, 120_000);

  test("viewers got a playable fragmented MP4 while it ran, then the end", async () => {
    expect(gotEnd).toBe(true);
    const live = await probe(liveFile);
    expect(live.codec).toBe("h264");
    expect(live.width).toBe(1280);
    expect(live.packets.length).toBeGreaterThan(20);
    const decoded = await decodeAll(liveFile);
    expect(decoded.code).toBe(0);
    expect(decoded.errors).toBe("");
  }, 60_000);

  test("the final MP4 is listed ready, plays, and shows the client's picture at the truth times (luma PSNR >= 33 dB)", async () => {
    expect(item.status).toBe("complete");
    expect(item.width).toBe(1280);
    expect(item.video.state).toBe("ready");
    const probed = await probe(mp4);
    expect(probed.width).toBe(1280);
    expect(Math.abs(probed.durationMs - item.duration_ms)).toBeLessThan(200);
    expect(Math.abs(item.duration_ms - lastMs)).toBeLessThan(2000);
    const decoded = await decodeAll(mp4);
    expect(decoded.errors).toBe("");
    const scores = await truthScores(mp4, LIVE_OFFSETS);
    console.log("live RDP video vs client:", describeScores(scores));
    expect(liveShortfall(scores)).toBeNull();
  }, 120_000);
});
