// Today's code against the pipeline of 2026-11-25 (commit f2433f3, before the one-way video pipeline,
// the native encoder, hardening, signing and previews), measured in the same run, turn about: this
// machine is shared and its absolute figures move from hour to hour, so only same-run ratios say
// whether something regressed. The old code is checked out into a temporary git worktree and each
// measurement runs in a fresh process of its own tree.
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { f, Lines, type BenchSection } from "./common.ts";

export const BASELINE_COMMIT = "f2433f3";
const ROOT = resolve(import.meta.dir, "../..");

/**
 * What one process measures: a script that calls out({ metric: value }). It sees `bench` (the measured tree's
 * bench/ folder), `root` (that tree), `today` (this tree, for tools only it has) and `env` (server settings:
 * empty, or the WASM encoder for today's tree). `wasm`: the row is also measured on today's tree with the WASM
 * encoder, the one the 2026-11-25 pipeline had, which separates what the pipeline changed from what the
 * native encoder changed.
 */
const RUNS: Array<{ script: string; rounds?: number; wasm?: boolean; metrics: Array<{ key: string; name: string; better: "lower" | "higher"; digits: number }> }> = [
  {
    script: `const { benchLive } = await import(bench + "/server.ts"); const r = await benchLive(2, 45, 1, 0, env); out({ cpu: r.cpuSecondsPerSessionMinute, lag: r.p99LagMs, ready: r.endToReadyMsMax, mp4: r.mp4MbPerSessionHour });`,
    wasm: true,
    metrics: [
      { key: "cpu", name: "live, 2 × 45 s 1080p office: CPU-s per session-minute", better: "lower", digits: 2 },
      { key: "lag", name: "live, same run: p99 encoder lag, ms", better: "lower", digits: 0 },
      { key: "ready", name: "live, same run: session end → MP4 listed ready, ms", better: "lower", digits: 0 },
      { key: "mp4", name: "live, same run: MP4 MB per session-hour (the native encoder's at ~3 dB higher PSNR: encoder section)", better: "lower", digits: 0 },
    ],
  },
  {
    script: `const { benchImport } = await import(bench + "/server.ts"); const r = await benchImport(120, env); out({ speed: r.timesRealTime });`,
    wasm: true,
    metrics: [{ key: "speed", name: "import, 120 s 1080p office: × real time", better: "higher", digits: 1 }],
  },
  {
    // Five passes over the capture at max speed (~1 s): one pass is a 0.2 s burst that mostly measures noise.
    script: `const { benchRecording } = await import(bench + "/recording.ts"); const fast = await benchRecording({ sessions: 1, loops: 5 }); const paced = await benchRecording({ sessions: 1, speed: 10 }); out({ rate: fast.messagesPerSecond, p50: paced.durableLatencyMs.p50 });`,
    metrics: [
      { key: "rate", name: "recording path, sample-720 at max speed (5 passes): messages/s", better: "higher", digits: 0 },
      { key: "p50", name: "recording path, sample-720 paced 10×: p50 ms to durable", better: "lower", digits: 2 },
    ],
  },
  {
    // One round (an import and a Chromium each): 40 seeks give a steady median.
    script: `const { benchSeek } = await import(bench + "/web.ts"); const r = await benchSeek({ durationS: 1800, seeks: 40, env }); out({ p50: r.frame.p50, p95: r.frame.p95 });`,
    rounds: 1,
    wasm: true,
    metrics: [
      { key: "p50", name: "seek in Chromium, 30-minute 1080p office recording, 40 seeks: p50 ms to the target frame shown", better: "lower", digits: 0 },
      { key: "p95", name: "seek, same run: p95 ms", better: "lower", digits: 0 },
    ],
  },
  {
    // Why seeks differ: what each tree's frames cost to decode (a seek decodes a keyframe and the frames after it).
    script: `const { decodeCostOfImport } = await import(today + "/bench/decodeCost.ts"); const r = await decodeCostOfImport(root, 300, env); out({ key: r.msPerKeyframe, frame: r.msPerFrame });`,
    rounds: 1,
    wasm: true,
    metrics: [
      { key: "key", name: "decoding the MP4 of a 300 s office import (ffmpeg, one thread): ms per keyframe", better: "lower", digits: 1 },
      { key: "frame", name: "same MP4: ms per frame, all frames", better: "lower", digits: 1 },
    ],
  },
];

const WASM_ENV = { DESKREEL_VIDEO_ENCODER: "wasm" };

function checkout(): string {
  const dir = mkdtempSync(join(tmpdir(), "deskreel-baseline-"));
  const add = Bun.spawnSync(["git", "-C", ROOT, "worktree", "add", "--detach", dir, BASELINE_COMMIT]);
  if (add.exitCode !== 0) throw new Error(`git worktree add ${BASELINE_COMMIT}: ${add.stderr.toString()}`);
  // The old tree's dependencies are a subset of today's (same versions of what both use).
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

function measure(tree: string, script: string, env: Record<string, string> = {}): Record<string, number> {
  const vars = `const bench = ${JSON.stringify(join(tree, "bench"))}; const root = ${JSON.stringify(tree)}; const today = ${JSON.stringify(ROOT)}; const env = ${JSON.stringify(env)};`;
  const body = `${vars} const out = (v) => console.log("RESULT " + JSON.stringify(v)); ${script} process.exit(0);`;
  const p = Bun.spawnSync([process.execPath, "-e", body], { cwd: tree, stdout: "pipe", stderr: "pipe" });
  const line = p.stdout.toString().split("\n").find((l) => l.startsWith("RESULT "));
  if (p.exitCode !== 0 || !line) throw new Error(`measurement in ${tree} failed (${p.exitCode}): ${p.stderr.toString().slice(-400)}`);
  return JSON.parse(line.slice(7)) as Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const section: BenchSection = {
  name: "baseline",
  title: `Against the 2026-11-25 pipeline (${BASELINE_COMMIT}), same run`,
  async run({ quick }) {
    const { lines, out } = new Lines();
    const rounds = quick ? 1 : 3;
    out(`\`bench/sections/baseline.ts\`: each figure measured in a fresh process, alternating between a checkout of ${BASELINE_COMMIT} (2026-11-25) and this tree, ${rounds} round(s) each (the seek and decode rows: one); the median is shown. Ratios > 1 mean today's code is better. The last two columns measure today's tree with the WASM encoder (\`DESKREEL_VIDEO_ENCODER=wasm\`), the encoder the 2026-11-25 pipeline had: they show what the pipeline itself changed; the native encoder's own trade-offs are in the encoder section.`);
    out();
    out("| measure | 2026-11-25 | today | today better by | today, WASM encoder | WASM today better by |");
    out("|---|---|---|---|---|---|");
    const old = checkout();
    try {
      for (const run of quick ? RUNS.slice(1, 2) : RUNS) {
        const before: Array<Record<string, number>> = [];
        const now: Array<Record<string, number>> = [];
        const wasm: Array<Record<string, number>> = [];
        for (let round = 0; round < Math.min(run.rounds ?? rounds, rounds); round++) {
          before.push(measure(old, run.script));
          now.push(measure(ROOT, run.script));
          if (run.wasm) wasm.push(measure(ROOT, run.script, WASM_ENV));
        }
        for (const m of run.metrics) {
          const ratio = (b: number, n: number) => (m.better === "lower" ? b / n : n / b);
          const b = median(before.map((r) => r[m.key]));
          const n = median(now.map((r) => r[m.key]));
          const w = run.wasm ? median(wasm.map((r) => r[m.key])) : null;
          const wasmCells = w === null ? "— | —" : `${f(w, m.digits)} | **${f(ratio(b, w), 2)}×**`;
          out(`| ${m.name} | ${f(b, m.digits)} | ${f(n, m.digits)} | **${f(ratio(b, n), 2)}×** | ${wasmCells} |`);
        }
      }
    } finally {
      Bun.spawnSync(["git", "-C", ROOT, "worktree", "remove", "--force", old]);
      rmSync(old, { recursive: true, force: true });
    }
    return lines;
  },
};
export default section;
