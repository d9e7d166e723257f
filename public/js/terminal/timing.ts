// Time arithmetic over a terminal recording: which steps are due at t, and where it sits idle.
import type { Stretch } from "../lib/mp4.ts";
import type { TerminalStep } from "./data.ts";

/** Pauses longer than this are cut to this long with "skip idle" (asciinema's idleTimeLimit). */
export const IDLE_LIMIT_S = 2;

/** How many steps are due at t seconds: those at or before it. */
export function stepsDueAt(steps: readonly TerminalStep[], t: number): number {
  const ms = t * 1000 + 1e-6;
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid].tMs <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Pauses in the output longer than the limit: after the first `limit` seconds of each, the rest is a
 * stretch to jump over, so a pause plays as at most `limit` seconds of recording time.
 */
export function idleStretches(steps: readonly TerminalStep[], durationS: number, limit = IDLE_LIMIT_S): Stretch[] {
  const out: Stretch[] = [];
  let previous = 0;
  const times = [...steps.map((s) => s.tMs / 1000), durationS];
  for (const t of times) {
    if (t - previous > limit) out.push({ from: previous + limit, to: t });
    previous = Math.max(previous, t);
  }
  return out;
}

/** Distinct output times (seconds), for stepping from one change to the next. */
export function outputTimes(steps: readonly TerminalStep[]): Float64Array {
  const times: number[] = [];
  for (const s of steps) {
    const t = s.tMs / 1000;
    if (times[times.length - 1] !== t) times.push(t);
  }
  return Float64Array.from(times);
}
