// Runs a workload in a fresh `bun` process and reports its peak RSS growth: memory bounds measured inside the
// shared test process follow whatever earlier test files left for the collector, not the code under test.
// The workload is an exported async function of a module (not a test file); it returns a JSON-able summary.
import { spawn } from "bun";
import { join } from "node:path";

export interface ChildMemoryResult<T> {
  /** Peak RSS over the RSS just before the workload started, in bytes. */
  growth: number;
  result: T;
}

/** `modulePath` absolute; `exportName` an async function taking `args`. */
export async function measureInChild<T>(modulePath: string, exportName: string, args: unknown[] = []): Promise<ChildMemoryResult<T>> {
  const child = spawn([process.execPath, join(import.meta.dir, "childMemoryRunner.ts"), modulePath, exportName, JSON.stringify(args)], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`${exportName} in a child process exited ${code}:\n${err}`);
  const line = out.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as ChildMemoryResult<T>;
}
