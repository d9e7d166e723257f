// RDP-era sessions (TDP 31 + 29: a real RDP server's fast-path output, rdp-shadow-720) through the whole server:
// imported as a Teleport protostream file, and streamed live into the ingest socket. ffprobe/ffmpeg judge the
// MP4s; the pictures at the capture's truth times are compared with what the RDP client showed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { concatBytes } from "../../src/bytes.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { RDP_SHADOW_CAPTURE, readTruth, truthPicture } from "../rdp/capture.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { recordingOf } from "../support/recordings.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { decodeAll, lumaPsnr, picturesAt, probe, psnr, type ProbedFile } from "../video/helpers/ffmpeg.ts";

const records = readTdpcap(new Uint8Array(readFileSync(RDP_SHADOW_CAPTURE)));
const lastMs = records.at(-1)!.delayMs;
const truth = readTruth();
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

interface Score {
  file: string;
  /** Luma PSNR: the check. */
  db: number;
  /** RGB PSNR, for the record: 4:2:0 chroma caps it near 27 dB on this capture's coloured terminal text. */
  rgbDb: number;
}

/** Best PSNR of the video against each truth picture among the moments t + offset. */
async function truthScores(mp4: string, offsets: number[]): Promise<Score[]> {
  const out: Score[] = [];
  const times = truth.frames.flatMap((frame) => offsets.map((d) => Math.max(0, frame.t_ms + d)));
  const pictures = await picturesAt(mp4, times, 1280, 720);
  for (const [k, frame] of truth.frames.entries()) {
    const expected = await truthPicture(frame.file);
    let best: Score = { file: frame.file, db: -Infinity, rgbDb: -Infinity };
    for (const [j] of offsets.entries()) {
      const shown = pictures[k * offsets.length + j];
      const db = lumaPsnr(shown, expected.rgba);
      if (db > best.db) best = { file: frame.file, db, rgbDb: psnr(shown, expected.rgba) };
    }
    out.push(best);
  }
  return out;
}

const describeScores = (scores: Score[]) => scores.map((s) => `${s.file} ${s.db.toFixed(1)} dB (RGB ${s.rgbDb.toFixed(1)})`).join(", ");

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
  });

  test("shows the RDP client's picture at each truth time (luma PSNR >= 33 dB)", async () => {
    // The client's picture at t is the screen at a moment in (t − 60, t]; the video shows a change within one
    // frame interval (100 ms at 10 fps).
    const scores = await truthScores(mp4, [-60, 0, 50, 100]);
    console.log("imported RDP video vs client:", describeScores(scores));
    for (const s of scores) {
      expect(s.db).toBeGreaterThanOrEqual(33);
      expect(s.rgbDb).toBeGreaterThanOrEqual(25);
    }
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
  });

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
    // Live timing is the messages' arrival (the replay's pacing), and a live encoder that falls behind (a loaded
    // machine) takes fewer frames on purpose, down to one per 2 s, always of the newest picture: a screen state
    // that lasted less than that may never be in the video. So: two thirds of the truth pictures exactly (the
    // import test above checks every one), and no picture broken (black or garbage scores ~6 dB against a truth
    // picture; the screen of a few seconds earlier, 18–22 dB).
    const scores = await truthScores(mp4, [0, 100, 250, 500, 1000, 2000]);
    console.log("live RDP video vs client:", describeScores(scores));
    const exact = scores.filter((s) => s.db >= 33 && s.rgbDb >= 25);
    expect(exact.length).toBeGreaterThanOrEqual(Math.ceil((scores.length * 2) / 3));
    for (const s of scores) expect(s.db).toBeGreaterThanOrEqual(15);
  }, 120_000);
});
