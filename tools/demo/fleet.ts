// Several demo agents at once, each a different person on a different desktop with its own seed.
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDemoAgent, type AgentProgress, type DemoAgentResult } from "./agent.ts";
import type { Size } from "./layout.ts";
import { DEFAULT_SIZE } from "./scene.ts";
import { writeDemoCapture } from "./session.ts";
import { errorMessage } from "../../src/errorMessage.ts";

export interface DemoIdentity {
  user: string;
  login: string;
  desktop: string;
  addr: string;
}

const PEOPLE: ReadonlyArray<[string, string, string]> = [
  ["alice", "alice.martin", "FINANCE"], ["bob", "bob.keller", "DEV"], ["carol", "carol.nguyen", "HR"],
  ["dave", "dave.okafor", "OPS"], ["erin", "erin.walsh", "SALES"], ["frank", "frank.meyer", "LEGAL"],
  ["grace", "grace.liu", "SUPPORT"], ["heidi", "heidi.berg", "PAYROLL"],
];

/** alice@WIN-FINANCE-01, bob@WIN-DEV-02, …; past the list, names repeat with a number. */
export function demoIdentity(index: number): DemoIdentity {
  const [user, login, dept] = PEOPLE[index % PEOPLE.length];
  const round = Math.floor(index / PEOPLE.length);
  const suffix = round === 0 ? "" : String(round + 1);
  const n = String(index + 1).padStart(2, "0");
  return { user: user + suffix, login: login + suffix, desktop: `WIN-${dept}-${n}`, addr: `10.40.${10 + (index % 200)}.${20 + round}:3389` };
}

export interface RunDemoOptions {
  sessions: number;
  /** Screen size before the resize, as { width, height } or "1920x1080" (default 1920x1080). */
  size?: Size | string;
  durationS: number;
  /** Seed of the first session; session i uses seed + i. */
  seed?: number;
  server: string;
  token: string;
  realtime?: boolean;
  /** Replay this .tdpcap for every session instead of generating. */
  capture?: string;
  /** Speak TDPB instead of legacy TDP. */
  tdpb?: boolean;
  /**
   * Generate each session into a cached .tdpcap first and replay it, so several realtime agents
   * do not compete for the CPU while streaming. Default: when realtime and more than one session.
   */
  pregenerate?: boolean;
  cacheDir?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onProgress?: (label: string, p: AgentProgress) => void;
}

export interface DemoSessionResult extends DemoAgentResult {
  label: string;
  seed: number;
  /** Set when the agent could not run (connection refused, bad capture…). */
  error?: string;
}

/** "1920x1080" → { width: 1920, height: 1080 }; sides from 64 to 8192. */
export function parseSize(raw: string): Size {
  const m = /^(\d+)x(\d+)$/.exec(raw.trim());
  const size = m ? { width: Number(m[1]), height: Number(m[2]) } : null;
  if (size === null || [size.width, size.height].some((n) => n < 64 || n > 8192)) {
    throw new RangeError(`size ${raw}: expected WIDTHxHEIGHT, each side from 64 to 8192 (e.g. 1920x1080)`);
  }
  return size;
}

export function demoCachePath(dir: string, o: { width: number; height: number; durationS: number; seed: number; login: string }): string {
  return join(dir, `demo-v1-${o.width}x${o.height}-${o.durationS}s-seed${o.seed}-${o.login}.tdpcap`);
}

export async function runDemo(opts: RunDemoOptions): Promise<DemoSessionResult[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const { width, height } = typeof opts.size === "string" ? parseSize(opts.size) : (opts.size ?? DEFAULT_SIZE);
  const realtime = opts.realtime ?? true;
  const baseSeed = opts.seed ?? 1;
  const pregenerate = opts.capture === undefined && (opts.pregenerate ?? (realtime && opts.sessions > 1));
  const cacheDir = opts.cacheDir ?? join(tmpdir(), "deskreel-demo");
  const plans = Array.from({ length: opts.sessions }, (_, i) => ({ identity: demoIdentity(i), seed: baseSeed + i, capture: opts.capture }));

  if (pregenerate) {
    mkdirSync(cacheDir, { recursive: true });
    for (const plan of plans) {
      const o = { width, height, durationS: opts.durationS, seed: plan.seed, login: plan.identity.login };
      const path = demoCachePath(cacheDir, o);
      if (!existsSync(path)) {
        const started = performance.now();
        const stats = await writeDemoCapture(path, o);
        log(`generated ${path}: ${stats.messages} messages, ${(stats.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
      plan.capture = path;
    }
  }

  return Promise.all(
    plans.map(async ({ identity, seed, capture }): Promise<DemoSessionResult> => {
      const label = `${identity.user}@${identity.desktop}`;
      try {
        const result = await runDemoAgent({
          server: opts.server, token: opts.token, ...identity, width, height, durationS: opts.durationS,
          seed, realtime, capture, tdpb: opts.tdpb, signal: opts.signal, log, onProgress: (p) => opts.onProgress?.(label, p),
        });
        return { ...result, label, seed };
      } catch (err) {
        const error = errorMessage(err);
        return {
          label, seed, error, messages: 0, bytes: 0, alerts: [], closeCode: 0, closeReason: "", closedByServer: false, aborted: false, sessionMs: 0, maxLagMs: 0,
        };
      }
    }),
  );
}
