// Runs `deskreel` as a real process (bun src/cli/main.ts) against a test server, and keeps what it printed.
import { join } from "node:path";

export const REPO = join(import.meta.dir, "../..");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as bytes (play writes binary). */
  bytes: Uint8Array;
  ms: number;
}

export interface CliOptions {
  /** Server URL (DESKREEL_SERVER); null leaves it unset. */
  server?: string | null;
  token?: string | null;
  cwd?: string;
  env?: Record<string, string>;
}

function cliEnv(options: CliOptions): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TZ: "UTC", ...options.env };
  if (options.server) env.DESKREEL_SERVER = options.server;
  if (options.token) env.DESKREEL_TOKEN = options.token;
  return env;
}

export function spawnCli(args: readonly string[], options: CliOptions = {}) {
  return Bun.spawn([process.execPath, join(REPO, "src/cli/main.ts"), ...args], {
    cwd: options.cwd ?? REPO, env: cliEnv(options), stdout: "pipe", stderr: "pipe", stdin: "ignore",
  });
}

export async function collect(proc: ReturnType<typeof spawnCli>, started = performance.now()): Promise<CliRun> {
  const [out, err, code] = await Promise.all([new Response(proc.stdout).arrayBuffer(), new Response(proc.stderr).text(), proc.exited]);
  const bytes = new Uint8Array(out);
  return { code, stdout: new TextDecoder().decode(bytes), stderr: err, bytes, ms: performance.now() - started };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const started = performance.now();
  return collect(spawnCli(args, options), started);
}

/** Runs the CLI under a pseudo-terminal (util-linux `script`), so stdout is a TTY. */
export async function runCliInTty(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const command = [process.execPath, join(REPO, "src/cli/main.ts"), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const started = performance.now();
  const proc = Bun.spawn(["script", "-qec", command, "/dev/null"], {
    cwd: options.cwd ?? REPO, env: cliEnv(options), stdout: "pipe", stderr: "pipe", stdin: "ignore",
  });
  return collect(proc as ReturnType<typeof spawnCli>, started);
}

export const hasScript = Bun.which("script") !== null;

export interface FollowedCli {
  /** Resolves once stdout so far satisfies `ready`, so a test acts on what the CLI said, not on a wall-clock guess. */
  until(what: string, ready: (stdout: string) => boolean, timeoutMs?: number): Promise<void>;
  /** The whole run, once the process has exited. */
  result(): Promise<CliRun>;
}

/** Reads a running CLI's output as it comes (collect() reads it only at the end). */
export function follow(proc: ReturnType<typeof spawnCli>, started = performance.now()): FollowedCli {
  const chunks: Uint8Array[] = [];
  const decoder = new TextDecoder();
  let text = "";
  const waiters = new Set<() => void>();
  const stdoutDone = (async () => {
    const reader = proc.stdout.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const chunk = read.value;
      chunks.push(chunk);
      text += decoder.decode(chunk, { stream: true });
      for (const wake of waiters) wake();
    }
    for (const wake of waiters) wake();
  })();
  const stderr = new Response(proc.stderr).text();
  let exited = false;
  void stdoutDone.then(() => (exited = true));
  return {
    until(what, ready, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}; stdout so far:\n${text}`)), timeoutMs);
        const done = (err?: Error): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve();
        };
        const check = (): void => {
          if (ready(text)) done();
          else if (exited) done(new Error(`the CLI ended before ${what}; stdout:\n${text}`));
        };
        waiters.add(check);
        check();
      });
    },
    async result() {
      const [, err, code] = await Promise.all([stdoutDone, stderr, proc.exited]);
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.length;
      }
      return { code, stdout: new TextDecoder().decode(bytes), stderr: err, bytes, ms: performance.now() - started };
    },
  };
}
