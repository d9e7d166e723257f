// A burst of parallel logins against a server process, with its memory: what each argon2 check costs when many
// arrive at once. Shared by the login memory test and the logins benchmark.
import { writeFileSync } from "node:fs";
import type { ServerProcess } from "./serverProcess.ts";

export interface BurstResult {
  statuses: Record<number, number>;
  /** Peak resident memory during the burst above the resident memory before it. */
  peakGrowthMb: number;
  wallMs: number;
}

/** Forget the process's peak so far (Linux: writing 5 to clear_refs resets VmHWM); false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

export async function loginBurst(server: ServerProcess, count: number, prefix: string): Promise<BurstResult> {
  await Bun.sleep(500);
  const before = server.memory().rss;
  if (!resetPeak(server.pid)) throw new Error("cannot reset the peak RSS of the server process (/proc/<pid>/clear_refs)");
  const t0 = performance.now();
  const responses = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      fetch(`${server.url}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: `${prefix}${i}`, password: "not the password" }),
      }),
    ),
  );
  const wallMs = performance.now() - t0;
  const statuses: Record<number, number> = {};
  for (const r of responses) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return { statuses, peakGrowthMb: (server.memory().peak - before) / 2 ** 20, wallMs };
}
