// A real server, real sockets: a desktop session goes in, a Teleport recording, an audit trail and an MP4 come out.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { decodeMessage, encodeMessage } from "../../src/tdp/codec.ts";
import { MessageType, RECORDED_TYPES } from "../../src/tdp/messages.ts";
import { ffprobeJson, sampleRecords, sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";

interface Item {
  id: string; status: string; desktop_name: string; duration_ms: number; width: number; height: number;
  video: { state: string; duration_ms: number; bytes: number }; marker_counts: Record<string, number>;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

async function finished(id: string): Promise<Item> {
  return waitFor(`recording ${id} complete with video`, async () => {
    const item = await server.json<Item>(`/v1/recordings/${id}`);
    return item.status !== "live" && item.video.state !== "encoding" ? item : undefined;
  });
}

async function onlyRecording(desktop: string): Promise<Item> {
  // A session is listed once it has opened, which may finish after a fast sender has already closed.
  const items = await waitFor(`a recording of ${desktop}`, async () => {
    const page = await server.json<{ items: Item[] }>(`/v1/recordings?desktop=${desktop}`);
    return page.items.length > 0 ? page.items : undefined;
  });
  expect(items.length).toBe(1);
  return finished(items[0].id);
}

async function recordingEvents(id: string) {
  const res = await server.get(`/v1/recordings/${id}/recording.tar`);
  expect(res.status).toBe(200);
  return parseProtostream(new Uint8Array(await res.arrayBuffer()), { allowTruncated: false });
}

describe("a desktop session recorded end to end", () => {
  const SPEED = 20;
  let item: Item;
  /** The sender's own wall time from before connecting until the server confirmed the close. */
  let senderSpanMs = 0;
  beforeAll(async () => {
    const began = Date.now();
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-SAMPLE", user: "alice", addr: "10.0.0.5:3389" });
    await client.replay(sampleRecords(), SPEED);
    await client.close();
    senderSpanMs = Date.now() - began;
    item = await onlyRecording("WIN-SAMPLE");
  });

  test("is listed complete with its size, markers and a ready video", () => {
    expect(item.status).toBe("complete");
    expect(item.width).toBe(1280);
    expect(item.height).toBe(720);
    expect(item.marker_counts).toEqual({ clipboard: 1, resize: 0, alert: 1, file_transfer: 0 });
    expect(item.video.state).toBe("ready");
    // 45.7 s of session replayed 20x faster: the sender cannot have been quicker than its pacing, and the
    // session cannot outlast what the sender saw from connecting to the close (however loaded the machine is).
    expect(item.duration_ms).toBeGreaterThan(45_726 / SPEED - 200);
    expect(item.duration_ms).toBeLessThanOrEqual(senderSpanMs + 5);
  });

  test("its recording is protostream v1: start, the TDP messages in order, end; indexes from 0, delays from 0", async () => {
    const { events } = await recordingEvents(item.id);
    expect(events[0].type).toBe("windows.desktop.session.start");
    expect(events.at(-1)?.type).toBe("windows.desktop.session.end");
    events.forEach((e, i) => expect(e.index).toBe(i));
    const frames = events.filter((e) => e.type === "desktop.recording");
    const sent = sampleRecords().filter((r) => RECORDED_TYPES.has(r.data[0]));
    expect(frames.length).toBe(sent.length);
    expect(frames[0].delayMs).toBe(0);
    let last = 0;
    frames.forEach((f, i) => {
      expect(f.delayMs).toBeGreaterThanOrEqual(last);
      last = f.delayMs;
      const original = sent[i].data;
      if (original[0] === MessageType.ClipboardData) {
        // by default the recording keeps that the clipboard was used, not what was copied
        expect(decodeMessage(f.message!)).toEqual({ type: MessageType.ClipboardData, data: new Uint8Array(0) });
      } else {
        expect(Buffer.from(f.message!).equals(Buffer.from(original))).toBe(true);
      }
    });
    const kinds = new Set(events.map((e) => e.type));
    expect(kinds.has("desktop.clipboard.receive")).toBe(true);
    const end = events.at(-1);
    if (end?.type !== "windows.desktop.session.end") throw new Error("no end event");
    expect(end.recorded).toBe(true);
    expect(end.participants).toEqual(["alice"]);
  });

  test("the main audit log has start, clipboard and end, and never the frames", async () => {
    const { events } = await server.json<{ events: Array<{ event: string; sid?: string; length?: number }> }>(`/v1/audit/events?limit=1000`);
    const mine = events.filter((e) => e.sid === item.id).map((e) => e.event);
    expect(mine).toContain("windows.desktop.session.start");
    expect(mine).toContain("windows.desktop.session.end");
    expect(mine).toContain("desktop.clipboard.receive");
    expect(events.some((e) => e.event === "desktop.recording" || e.event === "print")).toBe(false);
    const clip = events.find((e) => e.sid === item.id && e.event === "desktop.clipboard.receive");
    expect(clip?.length).toBe(13);
  });

  test("its MP4 is H.264 at the screen size, as long as the recording, moov first", async () => {
    const res = await server.get(`/v1/recordings/${item.id}/video.mp4`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(item.video.bytes);
    const path = join(server.dataDir, "check.mp4");
    await Bun.write(path, bytes);
    const probe = (await ffprobeJson(path, ["-show_streams", "-show_format"])) as {
      streams: Array<{ codec_name: string; width: number; height: number }>;
      format: { duration: string };
    };
    expect(probe.streams[0].codec_name).toBe("h264");
    expect(probe.streams[0].width).toBe(1280);
    expect(probe.streams[0].height).toBe(720);
    expect(Math.abs(Number(probe.format.duration) * 1000 - item.duration_ms)).toBeLessThan(100);
    const text = Buffer.from(bytes.subarray(0, 64 * 1024)).toString("latin1");
    expect(text.indexOf("moov")).toBeGreaterThan(0);
    expect(text.indexOf("moov")).toBeLessThan(text.indexOf("mdat") === -1 ? Infinity : text.indexOf("mdat"));
  });

  test("video.mp4 honours Range, If-Range, HEAD and download", async () => {
    const url = `/v1/recordings/${item.id}/video.mp4`;
    const part = await server.get(url, { ...server.auth, range: "bytes=0-99" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 0-99/${item.video.bytes}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    const etag = part.headers.get("etag")!;
    expect((await server.get(url, { ...server.auth, range: `bytes=${item.video.bytes}-` })).status).toBe(416);
    expect((await server.get(url, { ...server.auth, range: "bytes=10-19", "if-range": etag })).status).toBe(206);
    expect((await server.get(url, { ...server.auth, range: "bytes=10-19", "if-range": '"stale"' })).status).toBe(200);
    const head = await fetch(server.url + url, { method: "HEAD", headers: server.auth });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(item.video.bytes));
    const dl = await server.get(`${url}?download=1`);
    expect(dl.headers.get("content-disposition")).toMatch(/^attachment; filename="WIN-SAMPLE-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.mp4"/);
  });
});

describe("bad input", () => {
  test("is answered with an alert, skipped, and loses nothing recorded before or after", async () => {
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-BAD", user: "bob" });
    const good = sampleUntil(0).slice(0, 20);
    await client.replay(good.slice(0, 10));
    client.send(new Uint8Array([99, 1, 2, 3])); // unknown type
    client.send(new Uint8Array([MessageType.MouseMove, 0, 0])); // truncated
    client.send(encodeMessage({ type: MessageType.ClientScreenSpec, width: 1280, height: 720 }).fill(0xff, 1)); // 4 G x 4 G screen
    const tile = decodeMessage(good[5].data);
    if (tile.type !== MessageType.PNGFrame && tile.type !== MessageType.PNG2Frame) throw new Error("expected a tile");
    client.send(encodeMessage({ ...tile, left: tile.left + 1, right: tile.right + 2 } as typeof tile)); // PNG does not fit
    client.send("not binary");
    await client.replay(good.slice(10));
    await waitFor("5 alerts", () => (client.alerts.length >= 5 ? true : undefined));
    await client.close();
    expect(client.alerts[0]).toContain("unknown message type 99");
    expect(client.alerts[1]).toContain("truncated");
    expect(client.alerts.join("\n")).toContain("8192");
    const item = await onlyRecording("WIN-BAD");
    const { events } = await recordingEvents(item.id);
    const frames = events.filter((e) => e.type === "desktop.recording");
    expect(frames.length).toBe(good.filter((r) => RECORDED_TYPES.has(r.data[0])).length);
    expect(events.at(-1)?.type).toBe("windows.desktop.session.end");
  });

  test("a sender that keeps sending garbage is closed with 1007; the server goes on", async () => {
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-GARBAGE", user: "eve" });
    await client.replay(sampleUntil(0).slice(0, 5));
    for (let i = 0; i < 150; i++) client.send(new Uint8Array([200, i]));
    await client.waitClosed();
    expect(client.closeCode).toBe(1007);
    const item = await onlyRecording("WIN-GARBAGE");
    const { events } = await recordingEvents(item.id);
    expect(events.filter((e) => e.type === "desktop.recording").length).toBe(5);
    expect((await server.get("/v1/recordings")).status).toBe(200);
  });
});

describe("concurrent sessions", () => {
  test("two sessions at once never mix", async () => {
    const records = sampleUntil(3000);
    const a = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-A", user: "carol" });
    const b = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-B", user: "dave" });
    // b gets only the mouse messages, a everything: interleaved sends
    const mice = records.filter((r) => r.data[0] === MessageType.MouseMove || r.data[0] === MessageType.ClientScreenSpec);
    await Promise.all([a.replay(records), b.replay(mice)]);
    await Promise.all([a.close(), b.close()]);
    const [ra, rb] = await Promise.all([onlyRecording("WIN-A"), onlyRecording("WIN-B")]);
    expect(ra.id).not.toBe(rb.id);
    const fa = (await recordingEvents(ra.id)).events.filter((e) => e.type === "desktop.recording");
    const fb = (await recordingEvents(rb.id)).events.filter((e) => e.type === "desktop.recording");
    expect(fa.length).toBe(records.filter((r) => RECORDED_TYPES.has(r.data[0])).length);
    expect(fb.length).toBe(mice.length);
    expect(fb.every((e) => e.message![0] === MessageType.MouseMove || e.message![0] === MessageType.ClientScreenSpec)).toBe(true);
  });
});

describe("access", () => {
  test("anonymous callers get 401 on the API and the ingest", async () => {
    for (const path of ["/v1/recordings", "/v1/audit/events", "/v1/recordings/x/video.mp4"]) {
      const res = await server.get(path, {});
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBeString();
    }
    await expect(IngestClient.connect(server.url, null, { desktop: "X", user: "x" })).rejects.toThrow();
  });

  test("an ingest token may ingest but not read recordings", async () => {
    const token = await server.services.auth.createToken("agent-1", "agent");
    const client = await IngestClient.connect(server.url, token, { desktop: "WIN-AGENT", user: "frank" });
    await client.replay(sampleUntil(0).slice(0, 3));
    await client.close();
    const res = await server.get("/v1/recordings", { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
  });
});
