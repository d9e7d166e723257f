// TDPB end to end on a real server: the sample desktop session, translated to TDPB the way Teleport
// does, streamed into the ingest socket beside its legacy original; a TDPB recording imported; bad TDPB
// answered like bad legacy TDP; the real RemoteFX capture wrapped in ServerHello + FastPathPDU.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { decodeFrame } from "../../src/tdp/eras.ts";
import { decodeTdpb, encodeTdpb } from "../../src/tdp/tdpb/codec.ts";
import type { TdpbMessage } from "../../src/tdp/tdpb/messages.ts";
import { readTdpcap, type TdpcapRecord } from "../../src/tdp/tdpcap.ts";
import { ffprobeJson, sampleRecords } from "../support/corpus.ts";
import { CORPUS_DIR, SAMPLE_TRUTH_DIR } from "../support/corpusPath.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { recordingOf } from "../support/recordings.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { pngPixels } from "../support/pngPixels.ts";
import { asTdpb } from "../support/tdpb.ts";
import { pictureAt, psnr } from "../video/helpers/ffmpeg.ts";
import { describeScores, IMPORT_OFFSETS, LIVE_OFFSETS, liveShortfall, missedExactly, truthScores } from "../video/helpers/rdpTruth.ts";

interface Marker { t_ms: number; kind: string; detail: string }
interface Item {
  id: string; status: string; width: number; height: number; duration_ms: number;
  video: { state: string; bytes: number }; marker_counts: Record<string, number>; markers: Marker[];
}
interface AuditRow { event: string; code?: string; sid?: string; length?: number }

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

async function finished(id: string, timeoutMs = 60_000): Promise<Item> {
  return waitFor(`recording ${id} complete with video`, async () => {
    const item = await server.json<Item>(`/v1/recordings/${id}`);
    return item.status !== "live" && item.video.state !== "encoding" ? item : undefined;
  }, timeoutMs);
}

async function stream(records: readonly TdpcapRecord[], sessionId: string, desktop: string, speed: number): Promise<IngestClient> {
  const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop, user: "alice", session_id: sessionId });
  await client.replay(records, speed);
  await client.close();
  return client;
}

async function recordingEvents(id: string) {
  const res = await server.get(`/v1/recordings/${id}/recording.tar`);
  expect(res.status).toBe(200);
  return parseProtostream(new Uint8Array(await res.arrayBuffer()), { allowTruncated: false }).events;
}

async function auditOf(sid: string): Promise<AuditRow[]> {
  return (await server.json<{ events: AuditRow[] }>(`/v1/audit/events?sid=${sid}&limit=1000`)).events;
}

async function download(id: string, name: string): Promise<string> {
  const path = join(server.dataDir, name);
  await Bun.write(path, await (await server.get(`/v1/recordings/${id}/video.mp4`)).arrayBuffer());
  return path;
}

/** PSNR of the video's picture at `atMs` against a truth PNG. */
async function psnrAt(mp4: string, atMs: number, truthPng: string): Promise<number> {
  const truth = await pngPixels(truthPng);
  return psnr(await pictureAt(mp4, atMs, truth.width, truth.height), truth.rgba);
}

const SAMPLE_TDPB = asTdpb(sampleRecords());

describe("the sample session streamed as TDPB, beside its legacy original", () => {
  const SPEED = 2;
  let tdpb: Item;
  let legacy: Item;
  beforeAll(async () => {
    await Promise.all([
      stream(SAMPLE_TDPB, "tdpb-live-0001", "WIN-TDPB", SPEED),
      stream(sampleRecords(), "tdpb-legacy-0001", "WIN-LEGACY", SPEED),
    ]);
    [tdpb, legacy] = await Promise.all([finished("tdpb-live-0001"), finished("tdpb-legacy-0001")]);
  }, 120_000);

  test("is listed complete, with the screen size and the same markers as the legacy session", () => {
    expect(tdpb.status).toBe("complete");
    expect([tdpb.width, tdpb.height]).toEqual([1280, 720]);
    expect(tdpb.marker_counts).toEqual({ clipboard: 1, resize: 0, alert: 1, file_transfer: 0 });
    expect(tdpb.marker_counts).toEqual(legacy.marker_counts);
    expect(tdpb.markers.map((m) => [m.kind, m.detail])).toEqual(legacy.markers.map((m) => [m.kind, m.detail]));
    // the same moments, give or take the two sockets' scheduling
    tdpb.markers.forEach((m, i) => expect(Math.abs(m.t_ms - legacy.markers[i].t_ms)).toBeLessThan(500));
  });

  test("is recorded as Teleport records TDPB: DesktopRecording field 4 only, the kinds Teleport keeps, delays from 0", async () => {
    const events = await recordingEvents(tdpb.id);
    expect(events[0].type).toBe("windows.desktop.session.start");
    expect(events.at(-1)?.type).toBe("windows.desktop.session.end");
    events.forEach((e, i) => expect(e.index).toBe(i));
    const frames = events.flatMap((e) => (e.type === "desktop.recording" ? [e] : []));
    for (const f of frames) {
      expect(f.message).toBeNull();
      expect(f.tdpbMessage).not.toBeNull();
    }
    const kinds = frames.map((f) => decodeTdpb(f.tdpbMessage!).kind);
    const sentRecorded = SAMPLE_TDPB.map((r) => decodeFrame(r.data)).filter((f) => f.recorded).map((f) => f.tdpb!.kind);
    expect(kinds).toEqual(sentRecorded);
    expect(new Set(kinds)).toEqual(new Set(["clientScreenSpec", "pngFrame", "mouseMove", "mouseButton", "clipboardData", "alert"]));
    // tiles byte for byte; the clipboard kept without its data (the default)
    const sentTiles = SAMPLE_TDPB.filter((r) => decodeTdpb(r.data).kind === "pngFrame").map((r) => r.data);
    expect(frames.filter((f, i) => kinds[i] === "pngFrame").map((f) => f.tdpbMessage)).toEqual(sentTiles);
    const clip = decodeTdpb(frames[kinds.indexOf("clipboardData")].tdpbMessage!);
    expect(clip).toEqual({ kind: "clipboardData", data: new Uint8Array(0) });
    expect(frames[0].delayMs).toBe(0);
    for (let i = 1; i < frames.length; i++) expect(frames[i].delayMs).toBeGreaterThanOrEqual(frames[i - 1].delayMs);
  });

  test("the audit log has the same events for both sessions (clipboard length only)", async () => {
    // (recording downloads by the tests above are audited too; they are not the session's own events)
    const shape = (rows: AuditRow[]) => rows.filter((r) => r.event !== "session.recording.access").map((r) => [r.event, r.code, r.length ?? null]).sort();
    const [a, b] = await Promise.all([auditOf(tdpb.id), auditOf(legacy.id)]);
    expect(shape(a)).toEqual(shape(b));
    expect(a.find((r) => r.event === "desktop.clipboard.receive")?.length).toBe(13);
  });

  test("its video plays: H.264 at the screen size, as long as the recording, and shows the desktop", async () => {
    const mp4 = await download(tdpb.id, "tdpb-live.mp4");
    const probe = (await ffprobeJson(mp4, ["-show_streams", "-show_format"])) as {
      streams: Array<{ codec_name: string; width: number; height: number }>; format: { duration: string };
    };
    expect(probe.streams[0]).toMatchObject({ codec_name: "h264", width: 1280, height: 720 });
    expect(Math.abs(Number(probe.format.duration) * 1000 - tdpb.duration_ms)).toBeLessThan(150);
    // Inside stable stretches of the capture, in recording time (arrival stamps, not the replay's plan):
    // 150 ms (one frame interval and more) before the first message at or after the stretch's end.
    const delays = (await recordingEvents(tdpb.id)).flatMap((e) => (e.type === "desktop.recording" ? [e.delayMs] : []));
    const sent = SAMPLE_TDPB.filter((r) => decodeFrame(r.data).recorded).map((r) => r.delayMs);
    expect(delays.length).toBe(sent.length);
    for (const [file, untilMs] of [["t8100.png", 9800], ["t23600.png", 26500], ["t40100.png", 44100]] as const) {
      const at = delays[sent.findIndex((d) => d >= untilMs)] - 150;
      const db = await psnrAt(mp4, at, join(SAMPLE_TRUTH_DIR, file));
      console.log(`live TDPB ${file} at ${at} ms: ${db.toFixed(1)} dB`);
      expect(db).toBeGreaterThanOrEqual(30);
    }
  }, 60_000);
});

describe("a TDPB recording imported", () => {
  let item: Item;
  beforeAll(async () => {
    const file = await recordingOf(SAMPLE_TDPB, "tdpb-import-0001", "WIN-TDPB-IMPORT");
    const res = await fetch(`${server.url}/v1/recordings/import`, {
      method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file),
    });
    expect(res.status).toBe(201);
    item = await finished("tdpb-import-0001", 90_000);
  }, 120_000);

  test("is listed with its size, duration and markers", () => {
    expect(item.status).toBe("complete");
    expect([item.width, item.height]).toEqual([1280, 720]);
    expect(Math.abs(item.duration_ms - 45_726)).toBeLessThan(50);
    expect(item.marker_counts).toEqual({ clipboard: 1, resize: 0, alert: 1, file_transfer: 0 });
    expect(item.markers.find((m) => m.kind === "alert")?.t_ms).toBe(36_540);
    expect(item.markers.find((m) => m.kind === "clipboard")?.detail).toBe("clipboard: 13 bytes");
  });

  test("its video shows what the screen showed at the truth times (≥ 33 dB)", async () => {
    expect(item.video.state).toBe("ready");
    const mp4 = await download(item.id, "tdpb-import.mp4");
    for (const [file, fromMs, untilMs] of [["t0.png", 0, 1500], ["t8100.png", 8100, 9800], ["t23600.png", 23600, 26500], ["t40100.png", 36700, 44100], ["t45700.png", 44200, 45726]] as const) {
      const db = await psnrAt(mp4, (fromMs + untilMs) / 2, join(SAMPLE_TRUTH_DIR, file));
      console.log(`imported TDPB ${file}: ${db.toFixed(1)} dB`);
      expect(db).toBeGreaterThanOrEqual(33);
    }
  }, 60_000);
});

describe("bad TDPB", () => {
  test("is answered with a TDPB alert, counted, skipped, and loses nothing recorded before or after", async () => {
    const good = SAMPLE_TDPB.slice(0, 40);
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-TDPB-BAD", user: "bob", session_id: "tdpb-bad-0001" });
    await client.replay(good.slice(0, 20));
    const lying = new Uint8Array([0, 0, 0, 9, 0x3a, 2, 0x08, 1]); // length says 9, 4 follow
    const twoPayloads = new Uint8Array([0, 0, 0, 4, 0x3a, 0, 0x52, 0]);
    // a 2x1 PNG in a 41x41 rectangle: refused before anything inflates it
    const [tile] = SAMPLE_TDPB.filter((r) => decodeTdpb(r.data).kind === "pngFrame");
    const wrongTile = encodeTdpb({ ...(decodeTdpb(tile.data) as Extract<TdpbMessage, { kind: "pngFrame" }>), coordinates: { left: 0, top: 0, right: 40, bottom: 40 } });
    for (const bad of [lying, twoPayloads, wrongTile, new Uint8Array([0, 0, 0])]) client.send(bad);
    await client.replay(good.slice(20));
    await waitFor("4 alerts", () => (client.alerts.length >= 4 ? true : undefined));
    await client.close();
    const item = await finished("tdpb-bad-0001");
    expect(client.alerts.length).toBe(4);
    expect(client.alerts[0]).toContain("TDPB message at offset 0: truncated: length says 9 bytes, 4 follow");
    expect(client.alerts[1]).toContain("2 payloads");
    expect(client.alerts[2]).toContain("but the coordinates cover 41x41");
    expect(client.alerts[3]).toContain("the length header needs 4");
    // the replies were TDPB (the sender's era): the support client decoded them as such
    expect(client.tdpbReplies).toBe(4);
    const frames = (await recordingEvents(item.id)).filter((e) => e.type === "desktop.recording");
    const recordedGood = good.filter((r) => decodeFrame(r.data).recorded);
    expect(frames.map((f) => f.tdpbMessage)).toEqual(recordedGood.map((r) => r.data));
    expect(item.video.state).toBe("ready");
  }, 60_000);
});

describe("the real RemoteFX capture wrapped in TDPB (ServerHello + FastPathPDU)", () => {
  const DIR = join(CORPUS_DIR, "rdp-shadow-720");
  const capture = readTdpcap(new Uint8Array(readFileSync(join(DIR, "rdp-shadow-720.tdpcap"))));
  const wrapped = asTdpb(capture);
  let live: Item;
  let imported: Item;
  beforeAll(async () => {
    expect(wrapped.length).toBe(capture.length);
    await stream(wrapped, "tdpb-rfx-live-0001", "WIN-RFX", 1);
    const file = await recordingOf(wrapped, "tdpb-rfx-import-0001", "WIN-RFX-IMPORT");
    const res = await fetch(`${server.url}/v1/recordings/import`, {
      method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(file),
    });
    expect(res.status).toBe(201);
    [live, imported] = await Promise.all([finished("tdpb-rfx-live-0001"), finished("tdpb-rfx-import-0001", 90_000)]);
  }, 120_000);

  test("every PDU is recorded in field 4, byte for byte, and both recordings are listed at the RDP screen size", async () => {
    for (const item of [live, imported]) {
      expect(item.status).toBe("complete");
      expect([item.width, item.height]).toEqual([1280, 720]);
      const frames = (await recordingEvents(item.id)).filter((e) => e.type === "desktop.recording");
      expect(frames.map((f) => f.tdpbMessage)).toEqual(wrapped.map((r) => r.data));
      const [hello, ...pdus] = frames.map((f) => decodeTdpb(f.tdpbMessage!));
      expect(hello).toMatchObject({ kind: "serverHello", activationSpec: { ioChannelId: 1003, userChannelId: 1007, screenWidth: 1280, screenHeight: 720 } });
      expect(pdus.every((p) => p.kind === "fastPathPdu")).toBe(true);
    }
  });

  // As for legacy 29/31 (test/server/rdpVideo.test.ts, helpers in test/video/helpers/rdpTruth.ts): luma PSNR,
  // since 4:2:0 chroma alone caps RGB PSNR near 27 dB on this capture's coloured terminal text.
  test("imported: its MP4 shows the RDP client's picture at every truth time (luma ≥ 33 dB)", async () => {
    expect(imported.video.state).toBe("ready");
    const scores = await truthScores(await download(imported.id, "tdpb-rfx-import.mp4"), IMPORT_OFFSETS);
    console.log(`${imported.id}: ${describeScores(scores)}`);
    expect(missedExactly(scores)).toEqual([]);
  }, 120_000);

  test("live: two thirds of the truth pictures exactly (luma ≥ 33 dB), none broken", async () => {
    expect(live.video.state).toBe("ready");
    const scores = await truthScores(await download(live.id, "tdpb-rfx-live.mp4"), LIVE_OFFSETS);
    console.log(`${live.id}: ${describeScores(scores)}`);
    expect(liveShortfall(scores)).toBeNull();
  }, 120_000);
});
