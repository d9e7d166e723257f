// A credential that ends ends the sockets opened with it, at once: revoking an agent's token closes its desktop and
// SSH ingest sockets (1008 "token revoked") and their recordings end as on a disconnect — complete, readable up to
// the close, the MP4 playable — while another agent's session goes on; a viewer's token closes its live socket;
// deleting a user closes the sockets on the tokens they made.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { RECORDED_TYPES } from "../../src/tdp/messages.ts";
import { ffprobeJson, sampleRecords, sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { SshIngestClient } from "../ssh/sshClient.ts";

// Sessions are encoded to MP4 after they end: seconds on a loaded machine.
setDefaultTimeout(120_000);

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

interface Item {
  id: string; status: string; duration_ms: number; width: number; height: number;
  video: { state: string; duration_ms: number; bytes: number };
}

function send(path: string, method: string, body: unknown, headers: Record<string, string> = server.auth): Promise<Response> {
  return fetch(server.url + path, { method, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** A new API token (made with the admin token unless `headers` say otherwise): its secret and id. */
async function newToken(name: string, role: string, headers: Record<string, string> = server.auth): Promise<{ token: string; id: string }> {
  const res = await send("/v1/tokens", "POST", { name, role }, headers);
  expect(res.status).toBe(201);
  return (await res.json()) as { token: string; id: string };
}

async function revoke(id: string): Promise<void> {
  expect((await fetch(`${server.url}/v1/tokens/${id}`, { method: "DELETE", headers: server.auth })).status).toBe(204);
}

/** A live-video socket on a bearer token, once its first message (the init) has come; `closed` tells code and reason. */
async function liveViewer(id: string, token: string) {
  const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/v1/recordings/${id}/live`, { headers: { authorization: `Bearer ${token}` } } as unknown as string[]);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("message", (e) => typeof e.data === "string" && resolve());
    ws.addEventListener("error", () => reject(new Error("live socket refused")));
  });
  return { ws, closed };
}

/** Opens a desktop session and waits until the server has taken every one of `records`. */
async function desktopSession(token: string, sessionId: string, untilMs: number): Promise<{ client: IngestClient; sent: number }> {
  const client = await IngestClient.connect(server.url, token, { desktop: `WIN-${sessionId}`, user: "alice", session_id: sessionId });
  const records = sampleUntil(untilMs);
  await client.replay(records);
  await waitFor(`session ${sessionId} to take ${records.length} messages`, () =>
    server.services.live.get(sessionId)?.stats().messages === records.length ? true : undefined);
  return { client, sent: records.length };
}

async function finished(id: string): Promise<Item> {
  return waitFor(`recording ${id} finished with its video`, async () => {
    const item = await server.json<Item>(`/v1/recordings/${id}`);
    return item.status !== "live" && item.video.state !== "encoding" && item.video.state !== "pending" ? item : undefined;
  });
}

describe("revoking an agent's token mid-session", () => {
  let agent: { token: string; id: string };
  let other: { token: string; id: string };
  let desktop: { client: IngestClient; sent: number };
  let bystander: { client: IngestClient; sent: number };
  let ssh: SshIngestClient;
  const sshOutput = new TextEncoder().encode("$ uptime\r\n 05:12:01 up 3 days,  2 users\r\n$ ");

  beforeAll(async () => {
    agent = await newToken("desktop-agent-1", "agent");
    other = await newToken("desktop-agent-2", "agent");
    desktop = await desktopSession(agent.token, "revoked-desktop", 4000);
    bystander = await desktopSession(other.token, "bystander-desktop", 2000);
    ssh = await SshIngestClient.connect(server.url, agent.token, { host: "web-1", user: "alice", login: "root", session_id: "revoked-ssh" });
    ssh.output(sshOutput);
    await waitFor("the SSH output", () => (server.services.ssh.get("revoked-ssh")?.stats().bytes === sshOutput.length ? true : undefined));
    await revoke(agent.id);
    await Promise.all([desktop.client.waitClosed(), ssh.waitClosed()]);
  });

  afterAll(async () => {
    await bystander?.client.close();
  });

  test("its desktop and SSH ingest sockets close at once with 1008 and the reason", () => {
    expect([desktop.client.closeCode, desktop.client.closeReason]).toEqual([1008, "token revoked"]);
    expect([ssh.closeCode, ssh.closeReason]).toEqual([1008, "token revoked"]);
    expect(server.logs.some((l) => l.includes("session revoked-desktop: closing its ingest socket: token revoked"))).toBe(true);
  });

  test("the desktop recording ends as on a disconnect: complete, every message up to the close, an end event", async () => {
    const item = await finished("revoked-desktop");
    expect(item.status).toBe("complete");
    const res = await server.get("/v1/recordings/revoked-desktop/recording.tar");
    expect(res.status).toBe(200);
    const { events } = parseProtostream(new Uint8Array(await res.arrayBuffer()), { allowTruncated: false });
    expect(events[0].type).toBe("windows.desktop.session.start");
    expect(events.at(-1)?.type).toBe("windows.desktop.session.end");
    const frames = events.filter((e) => e.type === "desktop.recording");
    expect(frames.length).toBe(sampleUntil(4000).filter((r) => RECORDED_TYPES.has(r.data[0])).length);
    const { events: audit } = await server.json<{ events: Array<{ event: string; sid?: string }> }>("/v1/audit/events?limit=1000");
    expect(audit.filter((e) => e.sid === "revoked-desktop").map((e) => e.event)).toContain("windows.desktop.session.end");
  });

  test("its MP4 plays: H.264 at the screen size, as long as the recording", async () => {
    const item = await finished("revoked-desktop");
    expect(item.video.state).toBe("ready");
    const res = await server.get("/v1/recordings/revoked-desktop/video.mp4");
    expect(res.status).toBe(200);
    const path = join(server.dataDir, "revoked.mp4");
    await Bun.write(path, new Uint8Array(await res.arrayBuffer()));
    const probe = (await ffprobeJson(path, ["-show_streams", "-show_format"])) as {
      streams: Array<{ codec_name: string; width: number; height: number }>;
      format: { duration: string };
    };
    expect(probe.streams[0].codec_name).toBe("h264");
    expect([probe.streams[0].width, probe.streams[0].height]).toEqual([1280, 720]);
    expect(Math.abs(Number(probe.format.duration) * 1000 - item.duration_ms)).toBeLessThan(100);
  });

  test("the SSH recording is complete and its terminal output readable", async () => {
    const item = await waitFor("the SSH recording complete", async () => {
      const row = await server.json<Item>("/v1/recordings/revoked-ssh");
      return row.status === "live" ? undefined : row;
    });
    expect(item.status).toBe("complete");
    const terminal = await server.json<{ events: Array<{ kind: string; data?: string }> }>("/v1/recordings/revoked-ssh/terminal");
    const output = terminal.events.filter((e) => e.kind === "output").map((e) => Buffer.from(e.data!, "base64").toString("latin1")).join("");
    expect(output).toBe(Buffer.from(sshOutput).toString("latin1"));
    const res = await server.get("/v1/recordings/revoked-ssh/recording.tar");
    const { events } = parseProtostream(new Uint8Array(await res.arrayBuffer()), { allowTruncated: false });
    expect(events.at(-1)?.type).toBe("session.end");
  });

  test("another agent's session on another token goes on untouched", async () => {
    expect(bystander.client.closeCode).toBeNull();
    expect(server.services.live.has("bystander-desktop")).toBe(true);
    const more = sampleRecords().filter((r) => r.delayMs > 2000 && r.delayMs <= 3000);
    await bystander.client.replay(more);
    await waitFor("the bystander to take more", () =>
      server.services.live.get("bystander-desktop")?.stats().messages === bystander.sent + more.length ? true : undefined);
    expect(bystander.client.closeCode).toBeNull();
  });
});

describe("revoking a viewer's token", () => {
  test("closes its live socket; a viewer on another token keeps watching", async () => {
    const agent = await newToken("desktop-agent-3", "agent");
    const { client } = await desktopSession(agent.token, "watched-desktop", 1500);
    const viewer = await newToken("wallboard", "auditor");
    const otherViewer = await newToken("second-screen", "auditor");
    const watching = await liveViewer("watched-desktop", viewer.token);
    const stillWatching = await liveViewer("watched-desktop", otherViewer.token);
    await revoke(viewer.id);
    expect(await watching.closed).toEqual({ code: 1008, reason: "token revoked" });
    expect(stillWatching.ws.readyState).toBe(WebSocket.OPEN);
    expect(client.closeCode).toBeNull();
    stillWatching.ws.close();
    await client.close();
  });
});

describe("deleting a user", () => {
  test("closes the ingest and live sockets on the tokens they made", async () => {
    expect((await send("/v1/users", "POST", { name: "ops", password: "ops password 1", role: "admin" })).status).toBe(201);
    const login = await send("/v1/auth/login", "POST", { username: "ops", password: "ops password 1" }, {});
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    const agent = await newToken("ops-agent", "agent", { cookie, origin: server.url });
    const viewer = await newToken("ops-viewer", "auditor", { cookie, origin: server.url });
    const { client } = await desktopSession(agent.token, "owner-deleted", 1500);
    const watching = await liveViewer("owner-deleted", viewer.token);
    expect((await fetch(`${server.url}/v1/users/ops`, { method: "DELETE", headers: server.auth })).status).toBe(204);
    await client.waitClosed();
    expect([client.closeCode, client.closeReason]).toEqual([1008, "token revoked: its owner was deleted"]);
    expect((await watching.closed).code).toBe(1008);
    const item = await finished("owner-deleted");
    expect(item.status).toBe("complete");
  });
});
