// A real deskreel server for browser tests: a fresh data dir, an admin token, users, and recordings made the way
// production makes them (the sample capture imported as a Teleport protostream; live sessions from the demo agent).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { DesktopRecorder } from "../../src/recording/desktopRecorder.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { FileStore } from "../../src/storage/fileStore.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";

import { SAMPLE_CAPTURE, SAMPLE_TRUTH_DIR } from "../support/corpusPath.ts";

export { SAMPLE_CAPTURE, SAMPLE_TRUTH_DIR };

export interface TestServer {
  url: string;
  adminToken: string;
  dataDir: string;
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "deskreel-web-"));
  const adminToken = `web-test-admin-${crypto.randomUUID()}`;
  const config = loadConfig({
    DESKREEL_DATA: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    DESKREEL_ADMIN_TOKEN: adminToken,
    DESKREEL_VIDEO_WORKERS: "1",
    ...env,
  });
  const server = await startServer(config, { log: () => undefined });
  return {
    url: server.url,
    adminToken,
    dataDir,
    server,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api(ts: TestServer, path: string, init: RequestInit & { token?: string; cookie?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.cookie) headers.set("cookie", init.cookie);
  return fetch(ts.url + path, { ...init, headers, redirect: "manual" });
}

export async function createUser(ts: TestServer, name: string, password: string, role: "admin" | "auditor" | "user"): Promise<void> {
  const res = await api(ts, "/v1/users", {
    method: "POST",
    token: ts.adminToken,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password, role }),
  });
  if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${await res.text()}`);
}

/** The session cookie (name=value) of a password login. */
export async function loginCookie(ts: TestServer, name: string, password: string): Promise<string> {
  const res = await api(ts, "/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: name, password }),
  });
  if (res.status !== 200) throw new Error(`login ${name}: ${res.status}`);
  return (res.headers.get("set-cookie") ?? "").split(";")[0];
}

export interface SampleSession {
  sessionId: string;
  user: string;
  desktopName: string;
}

/** The sample capture (up to `untilMs`) recorded as Teleport would have (protostream v1), with its own timing, for a given user. */
export async function sampleProtostream(session: SampleSession, startMs = Date.now() - 3_600_000, untilMs = Infinity): Promise<Uint8Array> {
  const capture = readTdpcap(await Bun.file(SAMPLE_CAPTURE).bytes()).filter((record) => record.delayMs <= untilMs);
  const dir = await mkdtemp(join(tmpdir(), "deskreel-sample-"));
  try {
    const store = new FileStore(dir);
    const key = `recordings/${session.sessionId}.tar`;
    const handle = await store.openAppend(key);
    const recorder = await DesktopRecorder.open({
      info: {
        sessionId: session.sessionId, user: session.user, login: "Administrator", desktopName: session.desktopName,
        desktopAddr: "10.40.228.108:3389", clusterName: "deskreel-test",
      },
      handle,
      auditLog: { emit: async () => undefined },
      openedAt: startMs,
      log: () => undefined,
    });
    for (const record of capture) await recorder.record(record.data, { at: startMs + record.delayMs });
    const last = capture[capture.length - 1]?.delayMs ?? 0;
    await recorder.close({ at: startMs + last });
    return await Bun.file(store.pathOf(key)).bytes();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Import a protostream and wait until its video is ready. */
export async function importRecording(ts: TestServer, bytes: Uint8Array, timeoutMs = 90_000): Promise<string> {
  const res = await api(ts, "/v1/recordings/import", {
    method: "POST",
    token: ts.adminToken,
    headers: { "content-type": "application/octet-stream" },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  if (res.status !== 201) throw new Error(`import: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  await waitForVideo(ts, id, timeoutMs);
  return id;
}

export async function waitForVideo(ts: TestServer, id: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(ts, `/v1/recordings/${id}`, { token: ts.adminToken });
    if (res.ok) {
      const rec = (await res.json()) as { status: string; video: { state: string } };
      if (rec.status !== "live" && rec.video.state === "ready") return;
      if (rec.video.state === "failed") throw new Error(`video of ${id} failed`);
    }
    if (Date.now() > deadline) throw new Error(`video of ${id} not ready after ${timeoutMs} ms`);
    await Bun.sleep(250);
  }
}
