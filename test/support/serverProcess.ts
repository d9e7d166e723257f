// A deskreel server in its own process (bun src/main.ts), for what must be measured apart from the test
// itself: its memory (VmRSS / VmHWM from /proc), or a crash that must not take the test runner with it.
import { type Subprocess, spawn } from "bun";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_TOKEN } from "./server.ts";

export interface ServerProcess {
  url: string;
  pid: number;
  /** Current and peak resident memory in bytes, read from /proc/<pid>/status. */
  memory(): { rss: number; peak: number };
  /** Everything it printed so far. */
  output(): string;
  /** SIGKILL, as a crash: nothing is cleaned up. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function statusField(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]) * 1024;
}

export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "deskreel-proc-"));
  const child: Subprocess<"ignore", "pipe", "pipe"> = spawn(["bun", join(import.meta.dir, "../../src/main.ts")], {
    env: { ...process.env, DESKREEL_DATA: dataDir, PORT: "0", DESKREEL_ADMIN_TOKEN: ADMIN_TOKEN, DESKREEL_VIDEO_WORKERS: "1", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let output = "";
  const deadline = Date.now() + 30_000;
  let url: string | null = null;
  while (url === null) {
    if (Date.now() > deadline) throw new Error(`the server did not start:\n${output}`);
    const { done, value } = await reader.read();
    if (done) throw new Error(`the server exited before listening:\n${output}${await new Response(child.stderr).text()}`);
    output += decoder.decode(value, { stream: true });
    url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? null;
  }
  // Keep draining its output so the pipe never blocks the server.
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      output += decoder.decode(value, { stream: true });
    }
  })();
  const pid = child.pid;
  return {
    url,
    pid,
    memory: () => ({ rss: statusField(pid, "VmRSS"), peak: statusField(pid, "VmHWM") }),
    output: () => output,
    async kill() {
      child.kill("SIGKILL");
      await child.exited;
    },
    async stop() {
      child.kill("SIGTERM");
      const exited = await Promise.race([child.exited, Bun.sleep(15_000).then(() => null)]);
      if (exited === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
