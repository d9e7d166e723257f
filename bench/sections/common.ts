// Helpers shared by the benchmark sections.
import { cpus, totalmem } from "node:os";
import type { Stats } from "../web.ts";

export interface SectionContext {
  /** Shorter runs for a smoke check; results are not written. */
  quick: boolean;
}

/** One part of `bun run bench`: its lines (markdown) become bench/results/<name>.md and a part of BENCHMARKS.md. */
export interface BenchSection {
  name: string;
  title: string;
  run(ctx: SectionContext): Promise<string[]>;
}

export const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
export const msCells = (s: Stats) => `${Math.round(s.p50)} | ${Math.round(s.p95)} | ${Math.round(s.max)}`;

export function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Bun ${Bun.version}, ${process.platform}`;
}

export function ffmpegVersion(): string {
  const p = Bun.spawnSync(["ffmpeg", "-version"]);
  return p.exitCode === 0 ? p.stdout.toString().split("\n")[0] : "ffmpeg not found";
}

/** Collects markdown lines and echoes them to the console as they come. */
export class Lines {
  readonly lines: string[] = [];
  out = (line = "") => {
    this.lines.push(line);
    console.log(line);
  };
}
