// GET /v1/recordings/:id/clip.mp4 on a real server: a recording imported from the sample capture and a live
// session fed by the demo agent, clips judged by ffprobe/ffmpeg against the recording's own MP4; bad spans,
// access rules, and the audit event.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runDemoAgent } from "../../tools/demo/agent.ts";
import { readTdpcap, writeTdpcap } from "../../src/tdp/tdpcap.ts";
import { decodeAll, pictureAt, probe } from "../video/helpers/ffmpeg.ts";
import { waitFor } from "../support/server.ts";
import { api, createUser, importRecording, loginCookie, SAMPLE_CAPTURE, sampleProtostream, startTestServer, type TestServer } from "../web/fixture.ts";

const WIDTH = 1280;
const HEIGHT = 720;
const SAMPLE_MS = 20_000;

let ts: TestServer;
let id: string;
let recordingPath: string;

beforeAll(async () => {
  ts = await startTestServer();
  await createUser(ts, "alice", "alice password", "user");
  await createUser(ts, "bob", "bob password", "user");
  id = await importRecording(ts, await sampleProtostream({ sessionId: crypto.randomUUID(), user: "alice", desktopName: "WIN-CLIP" }, Date.now() - 3_600_000, SAMPLE_MS));
  recordingPath = join(ts.dataDir, "recording.mp4");
  await Bun.write(recordingPath, await (await api(ts, `/v1/recordings/${id}/video.mp4`, { token: ts.adminToken })).arrayBuffer());
}, 180_000);

afterAll(async () => {
  await ts?.stop();
});

async function fetchClip(recording: string, from: number, to: number, token = ts.adminToken): Promise<Response> {
  return api(ts, `/v1/recordings/${recording}/clip.mp4?from=${from}&to=${to}`, { token });
}

async function saveClip(res: Response, name: string): Promise<string> {
  const path = join(ts.dataDir, name);
  await Bun.write(path, await res.arrayBuffer());
  return path;
}

function rgbPsnr(a: Uint8Array, b: Uint8Array): number {
  let squared = 0;
  for (let i = 0; i < a.length; i++) squared += (a[i] - b[i]) ** 2;
  return squared === 0 ? Infinity : 10 * Math.log10((255 * 255) / (squared / a.length));
}

/** Each packet's time (ms), keyframe flag and SHA-256 of its bytes, as ffprobe reads them. */
async function packetHashes(path: string): Promise<Array<{ ms: number; key: boolean; hash: string }>> {
  const proc = Bun.spawn(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_data_hash", "sha256", "-show_entries", "packet=pts_time,flags,data_hash", "-of", "json", path], { stdout: "pipe", stderr: "pipe" });
  const { packets } = (await new Response(proc.stdout).json()) as { packets: Array<{ pts_time: string; flags: string; data_hash: string }> };
  return packets.map((p) => ({ ms: Math.round(Number(p.pts_time) * 1000), key: p.flags.startsWith("K"), hash: p.data_hash }));
}

async function formatTags(path: string): Promise<Record<string, string>> {
  const proc = Bun.spawn(["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", path], { stdout: "pipe", stderr: "pipe" });
  return ((await new Response(proc.stdout).json()) as { format?: { tags?: Record<string, string> } }).format?.tags ?? {};
}

describe("a finished recording", () => {
  test("a clip of [t1, t2] lasts t2 − t1, starts with the recording's picture at t1 and carries its origin", async () => {
    const [from, to] = [4_321, 13_579];
    const res = await fetchClip(id, from, to);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("content-disposition")).toContain(`clip-${from}-${to}.mp4`);
    const size = Number(res.headers.get("x-clip-bytes"));
    expect(res.headers.get("x-clip-duration-ms")).toBe(String(to - from));
    const path = await saveClip(res, "clip.mp4");
    expect((await Bun.file(path).bytes()).length).toBe(size);
    const probed = await probe(path);
    expect(probed.width).toBe(WIDTH);
    expect(Math.abs(probed.durationMs - (to - from))).toBeLessThanOrEqual(100);
    expect(probed.packets[0]).toMatchObject({ ptsMs: 0, isKey: true });
    expect((await decodeAll(path)).errors).toBe("");
    // From the recording's first keyframe after t1 on, every frame is the recording's own, byte for byte.
    const source = await packetHashes(recordingPath);
    const copiedFrom = source.find((p) => p.key && p.ms >= from)!.ms;
    const copied = (await packetHashes(path)).filter((p) => p.ms + from >= copiedFrom);
    expect(copied.length).toBeGreaterThan(20);
    const byTime = new Map(source.map((p) => [p.ms, p.hash]));
    for (const p of copied) expect({ ms: p.ms, hash: p.hash }).toEqual({ ms: p.ms, hash: byTime.get(p.ms + from)! });
    const first = await pictureAt(path, 0, WIDTH, HEIGHT);
    expect(rgbPsnr(first, await pictureAt(recordingPath, from, WIDTH, HEIGHT))).toBeGreaterThanOrEqual(35);
    const later = await pictureAt(path, 6_000, WIDTH, HEIGHT);
    expect(rgbPsnr(later, await pictureAt(recordingPath, from + 6_000, WIDTH, HEIGHT))).toBeGreaterThanOrEqual(35);
    expect(await formatTags(path)).toMatchObject({
      "com.deskreel.recording_id": id,
      "com.deskreel.clip_from_ms": String(from),
      "com.deskreel.clip_to_ms": String(to),
      "com.deskreel.desktop": "WIN-CLIP",
    });
  }, 60_000);

  test("the download is audited as recording access with its span", async () => {
    await fetchClip(id, 1_000, 2_000).then((r) => r.arrayBuffer());
    const clips = await waitFor("the download_clip audit event", async () => {
      const res = await api(ts, `/v1/audit/events?sid=${id}&limit=1000`, { token: ts.adminToken });
      const events = ((await res.json()) as { events: Array<Record<string, unknown>> }).events;
      const found = events.filter((e) => e.event === "session.recording.access" && e.access === "download_clip");
      return found.some((e) => e.clip_from_ms === 1_000 && e.clip_to_ms === 2_000) ? found : undefined;
    }, 10_000);
    expect(clips.some((e) => e.clip_from_ms === 4_321 && e.clip_to_ms === 13_579)).toBe(true);
  });

  test("bad spans: 400 for malformed or empty, 416 past the end, with the reason", async () => {
    const duration = ((await (await api(ts, `/v1/recordings/${id}`, { token: ts.adminToken })).json()) as { duration_ms: number }).duration_ms;
    const cases: Array<[string, number, RegExp]> = [
      ["from=5000&to=5000", 400, /after from/],
      ["from=6000&to=5000", 400, /after from/],
      ["from=abc&to=5000", 400, /from must be a whole number/],
      ["from=1.5&to=5000", 400, /from must be a whole number/],
      ["to=5000", 400, /from/],
      [`from=0&to=${duration + 1}`, 416, new RegExp(`lasts ${duration} ms`)],
      [`from=${duration + 10}&to=${duration + 20}`, 416, /lasts/],
    ];
    for (const [query, status, message] of cases) {
      const res = await api(ts, `/v1/recordings/${id}/clip.mp4?${query}`, { token: ts.adminToken });
      expect([query, res.status]).toEqual([query, status]);
      expect((await res.json()) as { error: string }).toMatchObject({ error: expect.stringMatching(message) });
    }
    // the end of the recording itself is a valid end
    const whole = await fetchClip(id, duration - 1_500, duration);
    expect(whole.status).toBe(200);
    const probed = await probe(await saveClip(whole, "tail.mp4"));
    expect(Math.abs(probed.durationMs - 1_500)).toBeLessThanOrEqual(100);
  }, 60_000);

  test("only who may see the recording may cut it", async () => {
    const path = `/v1/recordings/${id}/clip.mp4?from=0&to=1000`;
    expect((await api(ts, path)).status).toBe(401);
    expect((await api(ts, path, { cookie: await loginCookie(ts, "bob", "bob password") })).status).toBe(403);
    const own = await api(ts, path, { cookie: await loginCookie(ts, "alice", "alice password") });
    expect(own.status).toBe(200);
    await own.arrayBuffer();
    expect((await fetchClip("no-such-recording", 0, 1000)).status).toBe(404);
  });
});

describe("a live recording", () => {
  test("cuts up to its current end; past it is 416", async () => {
    const tokenRes = await api(ts, "/v1/tokens", {
      method: "POST", token: ts.adminToken, headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "agent", role: "agent" }),
    });
    const { token } = (await tokenRes.json()) as { token: string };
    const capturePath = join(ts.dataDir, "first-25s.tdpcap");
    await Bun.write(capturePath, writeTdpcap(readTdpcap(await Bun.file(SAMPLE_CAPTURE).bytes()).filter((r) => r.delayMs <= 25_000)));
    const sessionId = crypto.randomUUID();
    const abort = new AbortController();
    const agent = runDemoAgent({
      server: ts.url, token, desktop: "WIN-LIVE", user: "alice", login: "Administrator", sessionId,
      width: WIDTH, height: HEIGHT, durationS: 25, seed: 1, realtime: true, capture: capturePath, signal: abort.signal, log: () => undefined,
    });
    try {
      // wait until it has recorded 8 s and its video has caught up with that (an encoder behind on a loaded machine
      // would otherwise cut the clip short)
      await waitFor("the live session to record 8 s of video", async () => {
        const res = await api(ts, `/v1/recordings/${sessionId}`, { token: ts.adminToken });
        if (!res.ok) return undefined;
        const body = (await res.json()) as { status: string; duration_ms: number; video: { duration_ms: number } };
        expect(body.status).toBe("live");
        return body.duration_ms >= 8_000 && body.video.duration_ms >= 8_000 ? true : undefined;
      }, 30_000);
      const res = await fetchClip(sessionId, 2_500, 7_000);
      expect(res.status).toBe(200);
      const path = await saveClip(res, "live-clip.mp4");
      const probed = await probe(path);
      expect(Math.abs(probed.durationMs - 4_500)).toBeLessThanOrEqual(100);
      expect((await decodeAll(path)).errors).toBe("");
      expect(await formatTags(path)).toMatchObject({ "com.deskreel.recording_id": sessionId, "com.deskreel.clip_from_ms": "2500" });
      const late = await fetchClip(sessionId, 2_500, 60_000); // the session lasts 25 s
      expect(late.status).toBe(416);
      expect(((await late.json()) as { error: string }).error).toMatch(/is live and has recorded \d+ ms/);
    } finally {
      abort.abort();
      await agent.catch(() => undefined);
    }
  }, 90_000);
});
