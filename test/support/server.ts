// A real deskreel server for tests: in this process, on a free loopback port, with its own data dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { startServer, type RunningServer } from "../../src/server.ts";

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

export interface TestServer extends RunningServer {
  dataDir: string;
  logs: string[];
  /** Authorization header with the admin token. */
  auth: Record<string, string>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  json<T = unknown>(path: string): Promise<T>;
  dispose(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}, dataDir?: string): Promise<TestServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "deskreel-test-"));
  const logs: string[] = [];
  const server = await startServer(
    loadConfig({ DESKREEL_DATA: dir, PORT: "0", DESKREEL_ADMIN_TOKEN: ADMIN_TOKEN, DESKREEL_VIDEO_WORKERS: "1", ...env }),
    { log: (line) => logs.push(line) },
  );
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  return Object.assign(server, {
    dataDir: dir,
    logs,
    auth,
    get: (path: string, headers: Record<string, string> = auth) => fetch(server.url + path, { headers }),
    async json<T>(path: string): Promise<T> {
      const res = await fetch(server.url + path, { headers: auth });
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async dispose() {
      await server.stop();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}
