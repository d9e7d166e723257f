// What the server keeps and says: private data files, one log line per line whatever clients send, no server
// paths in API answers, and no start with a guessable admin token.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { sampleRecords } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  // A session whose user name carries CR/LF and an escape sequence, as a hostile desktop service could send.
  const client = await IngestClient.connect(server.url, ADMIN_TOKEN, {
    desktop: "WIN-LOG", user: "mallory\r\nsession 0000 started: admin on DC-01\u001b[2J", session_id: "log-escape-1",
  });
  await client.replay(sampleRecords().slice(0, 60));
  await client.close();
  await waitFor("the recording to end", async () => {
    const item = await server.json<{ status: string; video: { state: string } }>("/v1/recordings/log-escape-1");
    return item.status === "complete" && item.video.state !== "encoding" ? item : undefined;
  }, 60_000);
}, 120_000);

afterAll(async () => {
  await server?.dispose();
});

/** Every path under `dir` with its permission bits. */
function modes(dir: string): { path: string; dir: boolean; mode: number }[] {
  const out = [{ path: dir, dir: true, mode: statSync(dir).mode & 0o777 }];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...modes(path));
    else out.push({ path, dir: false, mode: statSync(path).mode & 0o777 });
  }
  return out;
}

describe("the data directory", () => {
  test("folders are 0700 and files 0600: databases, their journals, recordings, videos, thumbnails", () => {
    const all = modes(server.dataDir);
    const names = all.map((e) => e.path.slice(server.dataDir.length));
    for (const expected of ["/auth.sqlite", "/catalog.sqlite", "/catalog.sqlite-wal", "/blobs"]) expect(names).toContain(expected);
    expect(names.some((n) => n.endsWith(".tar"))).toBe(true);
    expect(names.some((n) => n.endsWith(".mp4"))).toBe(true);
    const wrong = all.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600)).map((e) => `${e.path} ${e.mode.toString(8)}`);
    expect(wrong).toEqual([]);
  });
});

describe("log lines", () => {
  test("a user name with CR/LF and an escape sequence stays on one escaped line", () => {
    expect(server.logs.filter((l) => /[\u0000-\u001f]/.test(l))).toEqual([]);
    const started = server.logs.filter((l) => l.includes("mallory"));
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(started[0]).toContain("mallory\\r\\nsession 0000 started: admin on DC-01\\x1b[2J");
    expect(server.logs.filter((l) => l.startsWith("session 0000"))).toEqual([]);
  });
});

describe("API answers", () => {
  test("a recording's error shows no server file path", async () => {
    const path = join(server.dataDir, "blobs", "video", "log-escape-1", "live.mp4");
    await server.services.catalog.updateRecording("log-escape-1", {
      videoState: "failed", error: `cannot append to blob "video/log-escape-1/live.mp4": ENOSPC: no space left on device, write '${path}'`,
    });
    const item = await server.json<{ error: string }>("/v1/recordings/log-escape-1");
    expect(item.error).toContain("ENOSPC");
    expect(item.error).toContain("live.mp4");
    expect(item.error).not.toContain(server.dataDir);
    const list = JSON.stringify(await server.json("/v1/recordings"));
    expect(list).not.toContain(server.dataDir);
    expect(list).not.toMatch(/"error":"[^"]*\/tmp\//);
  });
});

describe("the admin token", () => {
  test("one shorter than 32 characters is refused by the configuration", () => {
    expect(() => loadConfig({ DESKREEL_ADMIN_TOKEN: "x" })).toThrow(/at least 32/);
    expect(() => loadConfig({ DESKREEL_ADMIN_TOKEN: "a".repeat(31) })).toThrow(/31 characters/);
    expect(loadConfig({ DESKREEL_ADMIN_TOKEN: "a".repeat(32) }).adminToken).toBe("a".repeat(32));
  });

  test("`bun start` with DESKREEL_ADMIN_TOKEN=x exits at once with a clear message", () => {
    const run = spawnSync(process.execPath, ["src/main.ts"], {
      cwd: join(import.meta.dir, "../.."),
      env: { ...process.env, DESKREEL_ADMIN_TOKEN: "x", DESKREEL_DATA: join(server.dataDir, "never"), PORT: "0" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("deskreel: cannot start: DESKREEL_ADMIN_TOKEN is 1 characters long; it must have at least 32");
    expect(run.stderr).not.toContain("    at ");
  });
});
