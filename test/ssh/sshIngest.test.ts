// A real server, real sockets: an SSH session goes in over the ingest WebSocket; a Teleport recording
// (session.start, print…, session.end) and audit events come out. An imported SSH recording lists as ssh.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { SessionEndEvent, SessionPrintEvent, SessionStartEvent } from "../../src/recording/eventTypes.ts";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { resizeTerminalSize } from "../../src/recording/terminalResize.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { SshIngestClient } from "./sshClient.ts";
import { buildSshRecording, terminalChunks } from "./sshRecording.ts";

interface Item {
  id: string; kind: string; user: string; login: string; desktop_name: string; desktop_addr: string; status: string;
  duration_ms: number; markers: Record<string, number> | Array<{ t_ms: number; kind: string; detail: string }>;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

async function completed(id: string): Promise<Item> {
  return waitFor(`recording ${id} complete`, async () => {
    const res = await server.get(`/v1/recordings/${id}`);
    if (res.status !== 200) return undefined;
    const item = (await res.json()) as Item;
    return item.status === "complete" ? item : undefined;
  });
}

describe("an SSH session over the ingest WebSocket", () => {
  const sid = "ssh-session-0001";
  const sent: Uint8Array[] = [];
  // Bigger than one 64 KiB record: the writer must split it and keep every byte.
  const big = new Uint8Array(150_000).map((_, i) => (i * 7 + 3) & 0xff);
  let item: Item;
  let startedAt = 0;
  let endedAt = 0;

  beforeAll(async () => {
    startedAt = Date.now();
    const client = await SshIngestClient.connect(server.url, ADMIN_TOKEN, {
      host: "web-1", user: "alice", login: "root", addr: "10.0.0.9:22", session_id: sid, cols: "100", rows: "30",
    });
    for (const { data } of terminalChunks(12)) {
      client.output(data);
      sent.push(data);
      await Bun.sleep(15);
    }
    client.resize(160, 48);
    await Bun.sleep(20);
    client.output(big);
    sent.push(big);
    client.resize(160, 48); // same size: no new event
    client.resize(80, 24);
    const tail = new TextEncoder().encode("logout\r\n");
    client.output(tail);
    sent.push(tail);
    client.sendText("not json");
    await waitFor("the error answer", () => (client.errors.length > 0 ? true : undefined), 5000);
    expect(client.errors[0]).toContain("JSON");
    await client.close();
    endedAt = Date.now();
    item = await completed(sid);
  });

  test("is listed as ssh with its host, login and user, and resize markers", async () => {
    expect(item.kind).toBe("ssh");
    expect(item.desktop_name).toBe("web-1");
    expect(item.desktop_addr).toBe("10.0.0.9:22");
    expect(item.login).toBe("root");
    expect(item.user).toBe("alice");
    const markers = item.markers as Array<{ kind: string; detail: string }>;
    expect(markers.map((m) => m.detail)).toEqual(["100×30 → 160×48", "160×48 → 80×24"]);
    const page = await server.json<{ items: Item[] }>("/v1/recordings?kind=ssh");
    expect(page.items.map((i) => i.id)).toContain(sid);
    const desktops = await server.json<{ items: Item[] }>("/v1/recordings?kind=desktop");
    expect(desktops.items.map((i) => i.id)).not.toContain(sid);
  });

  test("its recording is session.start, print…, session.end with indexes, chunk indexes and offsets right", async () => {
    const res = await server.get(`/v1/recordings/${sid}/recording.tar`);
    expect(res.status).toBe(200);
    const { events, stats } = parseProtostream(new Uint8Array(await res.arrayBuffer()), { allowTruncated: false });
    expect(stats.skippedEvents).toBe(0);
    events.forEach((e, i) => expect(e.index).toBe(i));

    const start = events[0] as SessionStartEvent;
    expect(start.type).toBe("session.start");
    expect(start.terminalSize).toBe("100:30");
    expect(start.code).toBe("T2000I");
    expect([start.user, start.login, start.serverHostname, start.sessionId]).toEqual(["alice", "root", "web-1", sid]);

    const end = events.at(-1) as SessionEndEvent;
    expect(end.type).toBe("session.end");
    expect(end.participants).toEqual(["alice"]);
    expect(end.startTime.getTime()).toBeGreaterThanOrEqual(startedAt);
    expect(end.endTime.getTime()).toBeLessThanOrEqual(endedAt + 1000);
    expect(end.endTime.getTime()).toBeGreaterThan(end.startTime.getTime());

    const prints = events.filter((e): e is SessionPrintEvent => e.type === "print");
    expect(prints.length).toBeGreaterThanOrEqual(sent.length + 2); // the big chunk became at least 3 records
    let offset = 0;
    let delay = 0;
    prints.forEach((p, i) => {
      expect(p.chunkIndex).toBe(i);
      expect(p.offset).toBe(offset);
      expect(p.bytes).toBe(p.data.length);
      expect(p.delayMs).toBeGreaterThanOrEqual(delay);
      offset += p.data.length;
      delay = p.delayMs;
    });
    expect(prints[0].delayMs).toBe(0);

    const resizes = events.filter((e) => e.type === "unknown" && e.eventType === "resize");
    expect(resizes.map(resizeTerminalSize)).toEqual([{ cols: 160, rows: 48 }, { cols: 80, rows: 24 }]);
    // The first resize sits between the 12th and 13th chunk of output.
    const firstResize = events.indexOf(resizes[0]);
    expect(events.slice(0, firstResize).filter((e) => e.type === "print").length).toBe(12);
  });

  test("replays byte-exact: the print data concatenated is what was sent", async () => {
    const res = await server.get(`/v1/recordings/${sid}/recording.tar`);
    const { events } = parseProtostream(new Uint8Array(await res.arrayBuffer()));
    const replayed = Buffer.concat(events.filter((e): e is SessionPrintEvent => e.type === "print").map((p) => p.data));
    expect(replayed.equals(Buffer.concat(sent))).toBe(true);
  });

  test("the main audit log has its start and end, and no print", async () => {
    const { events } = await server.json<{ events: Array<{ event: string; sid?: string; size?: string }> }>(`/v1/audit/events?sid=${sid}&limit=1000`);
    // (reading the recording above added a session.recording.access event, which is not the session's own)
    expect(events.map((e) => e.event).filter((e) => e !== "session.recording.access").sort()).toEqual(["session.end", "session.start"]);
    const all = await server.json<{ events: Array<{ event: string }> }>("/v1/audit/events?limit=1000");
    expect(all.events.some((e) => e.event === "print" || e.event === "resize")).toBe(false);
  });

  test("an existing session id is refused", async () => {
    const attempt = SshIngestClient.connect(server.url, ADMIN_TOKEN, { host: "web-1", user: "alice", login: "root", session_id: sid });
    await expect(attempt).rejects.toThrow();
  });
});

describe("SSH ingest input checks", () => {
  test("no token: refused", async () => {
    const res = await fetch(`${server.url}/v1/ingest/ssh?host=h&user=u&login=l`, { headers: { upgrade: "websocket", connection: "Upgrade" } });
    expect(res.status).toBe(401);
  });

  test("a bad resize is answered and the session goes on", async () => {
    const client = await SshIngestClient.connect(server.url, ADMIN_TOKEN, { host: "db-2", user: "bob", login: "postgres", session_id: "ssh-bad-input" });
    client.sendText(JSON.stringify({ resize: { cols: 0, rows: 24 } }));
    client.sendText(JSON.stringify({ hello: 1 }));
    client.output("still recording\r\n");
    await waitFor("two error answers", () => (client.errors.length >= 2 ? true : undefined), 5000);
    await client.close();
    const item = await completed("ssh-bad-input");
    expect(client.errors[0]).toContain("cols and rows");
    expect(client.errors[1]).toContain("unknown control message");
    expect(item.kind).toBe("ssh");
    const res = await server.get(`/v1/recordings/ssh-bad-input/recording.tar`);
    const { events } = parseProtostream(new Uint8Array(await res.arrayBuffer()));
    expect(events.map((e) => e.type)).toEqual(["session.start", "print", "session.end"]);
  });
});

describe("an imported SSH recording", () => {
  test("lists as ssh with the node's host name and login", async () => {
    const bytes = buildSshRecording({
      sessionId: "0b7e3c4a-1111-4222-8333-944455556666", user: "carol", login: "ubuntu", host: "build-7",
      startMs: Date.parse("2026-02-03T10:00:00Z"), chunks: terminalChunks(30, 5), eventsPerPart: 8,
      resizes: [{ afterChunk: 9, size: { cols: 200, rows: 50 } }],
    });
    const res = await fetch(`${server.url}/v1/recordings/import`, {
      method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: bytes,
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(id).toBe("0b7e3c4a-1111-4222-8333-944455556666");
    const page = await server.json<{ items: Item[] }>("/v1/recordings?kind=ssh&user=carol");
    expect(page.items.length).toBe(1);
    const item = page.items[0];
    expect([item.kind, item.desktop_name, item.login, item.status]).toEqual(["ssh", "build-7", "ubuntu", "complete"]);
    const lastDelay = terminalChunks(30, 5).at(-1)?.delayMs ?? 0;
    expect(item.duration_ms).toBeGreaterThanOrEqual(lastDelay);
    expect(item.duration_ms).toBeLessThan(lastDelay + 1000);
    expect(item.markers).toEqual({ clipboard: 0, resize: 1, alert: 0, file_transfer: 0 });
    const detail = await server.json<{ markers: Array<{ t_ms: number; kind: string; detail: string }> }>(`/v1/recordings/${id}`);
    const tenth = terminalChunks(30, 5)[9].delayMs;
    expect(detail.markers).toEqual([{ t_ms: tenth + 1, kind: "resize", detail: "120×40 → 200×50" }]);
  });
});
