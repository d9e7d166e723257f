// The real 1280x720 capture in shared/corpus, read once.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readTdpcap, type TdpcapRecord } from "../../src/tdp/tdpcap.ts";

export { CORPUS_DIR } from "./corpusPath.ts";
import { CORPUS_DIR } from "./corpusPath.ts";
let cached: TdpcapRecord[] | null = null;

export function sampleRecords(): TdpcapRecord[] {
  cached ??= readTdpcap(new Uint8Array(readFileSync(join(CORPUS_DIR, "sample-720.tdpcap"))));
  return cached;
}

/** The records up to and including `untilMs`. */
export function sampleUntil(untilMs: number): TdpcapRecord[] {
  return sampleRecords().filter((r) => r.delayMs <= untilMs);
}

export async function ffprobeJson(path: string, args: string[]): Promise<Record<string, unknown>> {
  const proc = Bun.spawn(["ffprobe", "-v", "error", "-of", "json", ...args, path], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`ffprobe failed (${code}): ${err}`);
  return JSON.parse(out) as Record<string, unknown>;
}
