import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server, ServerWebSocket } from "bun";
import { decodeMessage, encodeMessage } from "../../src/tdp/codec.ts";
import { MessageType, Severity } from "../../src/tdp/messages.ts";
import { readTdpcap, writeTdpcap } from "../../src/tdp/tdpcap.ts";
import { runDemoAgent } from "../../tools/demo/agent.ts";
import { demoCommand } from "../../tools/demo/command.ts";
import { runDemo } from "../../tools/demo/fleet.ts";
import { demoSessionRecords, writeDemoCapture } from "../../tools/demo/session.ts";

const TOKEN = "test-token-123";

interface Connection {
  query: URLSearchParams;
  frames: Array<{ at: number; data: Uint8Array }>;
  textFrames: number;
  close: Promise<{ code: number; reason: string }>;
}

interface Behaviour {
  /** Called for each binary frame with its 1-based index. */
  onFrame?: (ws: ServerWebSocket<SocketData>, index: number) => void;
}

interface SocketData {
  conn: Connection;
  closed: (v: { code: number; reason: string }) => void;
}

/** A stand-in ingest endpoint: checks the token and path, records every frame with its arrival time. */
function fakeIngest(behaviour: Behaviour = {}): { server: Server<SocketData>; url: string; connections: Connection[] } {
  const connections: Connection[] = [];
  const server = Bun.serve<SocketData>({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req, srv) {
      const url = new URL(req.url);
      if (url.pathname !== "/v1/ingest/desktop") return Response.json({ error: "not found" }, { status: 404 });
      if (req.headers.get("authorization") !== `Bearer ${TOKEN}`) return Response.json({ error: "unauthenticated" }, { status: 401 });
      let closed: SocketData["closed"] = () => {};
      const conn: Connection = { query: url.searchParams, frames: [], textFrames: 0, close: new Promise((r) => (closed = r)) };
      connections.push(conn);
      if (srv.upgrade(req, { data: { conn, closed } })) return undefined;
      return new Response("upgrade failed", { status: 400 });
    },
    websocket: {
      message(ws, message) {
        const { conn } = ws.data;
        if (typeof message === "string") {
          conn.textFrames++;
          return;
        }
        conn.frames.push({ at: performance.now(), data: new Uint8Array(message) });
        behaviour.onFrame?.(ws, conn.frames.length);
      },
      close(ws, code, reason) {
        ws.data.closed({ code, reason });
      },
    },
  });
  return { server, url: `http://127.0.0.1:${server.port}`, connections };
}

let servers: Array<Server<SocketData>> = [];
afterEach(() => {
  for (const s of servers) s.stop(true);
  servers = [];
});
function start(behaviour?: Behaviour): ReturnType<typeof fakeIngest> {
  const ingest = fakeIngest(behaviour);
  servers.push(ingest.server);
  return ingest;
}

const SESSION = { width: 320, height: 200, durationS: 8, seed: 11 } as const;
const who = { desktop: "WIN-FINANCE-01", user: "alice", login: "alice.martin" } as const;

describe("runDemoAgent", () => {
  test("streams the whole session, one well-formed TDP message per binary frame, then closes with 1000", async () => {
    const { url, connections } = start();
    const result = await runDemoAgent({ server: url, token: TOKEN, ...who, ...SESSION, realtime: false, log: () => {} });
    const expected = [...demoSessionRecords({ ...SESSION, login: who.login })];
    expect(connections.length).toBe(1);
    const conn = connections[0];
    expect(await conn.close).toEqual({ code: 1000, reason: "session ended" });
    expect(conn.query.get("desktop")).toBe("WIN-FINANCE-01");
    expect(conn.query.get("user")).toBe("alice");
    expect(conn.query.get("login")).toBe("alice.martin");
    expect(conn.query.get("session_id")).toBe(result.sessionId ?? "missing");
    expect(result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(conn.textFrames).toBe(0);
    expect(conn.frames.length).toBe(expected.length);
    expect(result.messages).toBe(expected.length);
    expect(result.bytes).toBe(expected.reduce((n, r) => n + r.data.length, 0));
    expect(decodeMessage(conn.frames[0].data).type).toBe(MessageType.ClientScreenSpec);
    conn.frames.forEach((f, i) => {
      expect(() => decodeMessage(f.data)).not.toThrow();
      expect(Buffer.from(f.data).equals(Buffer.from(expected[i].data))).toBe(true);
    });
    expect(result.closedByServer).toBe(false);
    expect(result.sessionMs).toBe(8000);
  });

  test("collects and logs the Alerts the server sends back", async () => {
    const { url } = start({
      onFrame: (ws, i) => {
        if (i === 1) ws.send(encodeMessage({ type: MessageType.Alert, message: "recording storage almost full", severity: Severity.Warning }));
      },
    });
    const lines: string[] = [];
    const result = await runDemoAgent({ server: url, token: TOKEN, ...who, ...SESSION, durationS: 3, realtime: false, log: (l) => lines.push(l) });
    expect(result.alerts).toEqual(["warning: recording storage almost full"]);
    expect(lines.some((l) => l.includes("alice@WIN-FINANCE-01") && l.includes("recording storage almost full"))).toBe(true);
  });

  test("stops sending when the server closes with an error code, and reports it", async () => {
    const { url, connections } = start({
      onFrame: (ws, i) => {
        if (i === 10) ws.close(1008, "tile does not fit its rectangle");
      },
    });
    const result = await runDemoAgent({ server: url, token: TOKEN, ...who, ...SESSION, realtime: false, log: () => {} });
    expect(result.closedByServer).toBe(true);
    expect(result.closeCode).toBe(1008);
    expect(result.closeReason).toBe("tile does not fit its rectangle");
    expect(connections[0].frames.length).toBeLessThan(200);
    expect(result.messages).toBeLessThan([...demoSessionRecords({ ...SESSION, login: who.login })].length);
  });

  test("realtime: a server close during a long wait ends the agent at once", async () => {
    const { url } = start({
      onFrame: (ws, i) => {
        if (i === 2) setTimeout(() => ws.close(1008, "policy"), 100);
      },
    });
    const dir = mkdtempSync(join(tmpdir(), "deskreel-demo-gap-"));
    try {
      // Two messages, then a 20 s gap, like an idle stretch.
      const capture = join(dir, "gap.tdpcap");
      const move = (x: number) => encodeMessage({ type: MessageType.MouseMove, x, y: 5 });
      await Bun.write(capture, writeTdpcap([
        { delayMs: 0, data: encodeMessage({ type: MessageType.ClientScreenSpec, width: 320, height: 200 }) },
        { delayMs: 0, data: move(1) },
        { delayMs: 20_000, data: move(2) },
      ]));
      const started = performance.now();
      const result = await runDemoAgent({ server: url, token: TOKEN, ...who, ...SESSION, capture, log: () => {} });
      expect(result.closeCode).toBe(1008);
      expect(result.closedByServer).toBe(true);
      expect(result.messages).toBe(2);
      expect(performance.now() - started).toBeLessThan(1500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a rejected token fails with an error instead of streaming", async () => {
    const { url, connections } = start();
    await expect(runDemoAgent({ server: url, token: "wrong", ...who, ...SESSION, realtime: false, log: () => {} })).rejects.toThrow(/ingest connection .* failed/);
    expect(connections.length).toBe(0);
  });

  test("a missing capture file fails before any session is opened", async () => {
    const { url, connections } = start();
    const capture = join(tmpdir(), `deskreel-no-such-${process.pid}.tdpcap`);
    await expect(runDemoAgent({ server: url, token: TOKEN, ...who, ...SESSION, capture, realtime: false, log: () => {} })).rejects.toThrow();
    expect(connections.length).toBe(0);
  });

  test("replays a .tdpcap byte for byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deskreel-demo-test-"));
    try {
      const path = join(dir, "s.tdpcap");
      await writeDemoCapture(path, { width: 256, height: 160, durationS: 4, seed: 5 });
      const records = readTdpcap(await Bun.file(path).bytes());
      const { url, connections } = start();
      const result = await runDemoAgent({ server: url, token: TOKEN, ...who, ...SESSION, capture: path, realtime: false, log: () => {} });
      await connections[0].close;
      expect(result.messages).toBe(records.length);
      expect(connections[0].frames.map((f) => Buffer.from(f.data).toString("hex"))).toEqual(records.map((r) => Buffer.from(r.data).toString("hex")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("realtime: frames arrive when their delays say, not before", async () => {
    const { url, connections } = start();
    const opts = { ...SESSION, durationS: 2.5, seed: 3 };
    const started = performance.now();
    const result = await runDemoAgent({ server: url, token: TOKEN, ...who, ...opts, log: () => {} });
    const elapsed = performance.now() - started;
    const expected = [...demoSessionRecords({ ...opts, login: who.login })];
    const frames = connections[0].frames;
    expect(frames.length).toBe(expected.length);
    expect(elapsed).toBeGreaterThanOrEqual(2450);
    expect(elapsed).toBeLessThan(4500);
    const t0 = frames[0].at;
    let worst = 0;
    frames.forEach((f, i) => {
      const offset = f.at - t0 - expected[i].delayMs;
      expect(offset).toBeGreaterThan(-25);
      worst = Math.max(worst, offset);
    });
    expect(worst).toBeLessThan(400);
    expect(result.maxLagMs).toBeLessThan(400);
  });

  test("an abort signal ends the session early with a normal close", async () => {
    const { url, connections } = start();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const result = await runDemoAgent({ server: url, token: TOKEN, ...who, ...SESSION, signal: stop.signal, log: () => {} });
    expect(result.aborted).toBe(true);
    expect(result.sessionMs).toBeLessThan(1000);
    expect(await connections[0].close).toEqual({ code: 1000, reason: "agent stopped" });
  });
});

describe("runDemo and demoCommand", () => {
  test("N sessions run at once as different people on different desktops with different seeds", async () => {
    const { url, connections } = start();
    const results = await runDemo({ sessions: 3, size: "256x160", durationS: 3, server: url, token: TOKEN, realtime: false, log: () => {} });
    expect(results.map((r) => r.label)).toEqual(["alice@WIN-FINANCE-01", "bob@WIN-DEV-02", "carol@WIN-HR-03"]);
    expect(new Set(results.map((r) => r.seed)).size).toBe(3);
    expect(results.every((r) => r.error === undefined && r.messages > 10 && !r.closedByServer)).toBe(true);
    expect(new Set(connections.map((c) => c.query.get("desktop"))).size).toBe(3);
    expect(new Set(connections.map((c) => c.query.get("session_id"))).size).toBe(3);
    // Different seeds give different sessions.
    expect(new Set(results.map((r) => r.bytes)).size).toBe(3);
  });

  test("realtime with several sessions pre-generates cached captures and replays them", async () => {
    const { url, connections } = start();
    const cacheDir = mkdtempSync(join(tmpdir(), "deskreel-demo-cache-"));
    try {
      const results = await runDemo({ sessions: 2, size: { width: 256, height: 160 }, durationS: 1.5, seed: 40, server: url, token: TOKEN, cacheDir, log: () => {} });
      expect(readdirSync(cacheDir).filter((f) => f.endsWith(".tdpcap")).length).toBe(2);
      expect(results.every((r) => r.error === undefined && r.sessionMs === 1500)).toBe(true);
      expect(connections.length).toBe(2);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  test("demoCommand parses its flags, runs, and returns exit codes", async () => {
    const { url, connections } = start();
    const env = { DESKREEL_ADMIN_TOKEN: TOKEN };
    const code = await demoCommand(["--sessions", "2", "--size", "256x160", "--duration", "2", "--server", url, "--seed", "9", "--fast"], env);
    expect(code).toBe(0);
    expect(connections.length).toBe(2);
    expect(await demoCommand(["--size", "big"], env)).toBe(2);
    expect(await demoCommand(["--bogus"], env)).toBe(2);
    expect(await demoCommand(["--server", url, "--fast", "--duration", "1"], {})).toBe(2);
    expect(await demoCommand(["--server", url, "--fast", "--duration", "1", "--size", "256x160"], { DESKREEL_TOKEN: "wrong" })).toBe(1);
    const dir = mkdtempSync(join(tmpdir(), "deskreel-demo-out-"));
    try {
      const out = join(dir, "x.tdpcap");
      expect(await demoCommand(["--out", out, "--size", "256x160", "--duration", "2"], {})).toBe(0);
      expect(existsSync(out)).toBe(true);
      expect(readTdpcap(await Bun.file(out).bytes()).at(-1)?.delayMs).toBe(2000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
