// `deskreel demo`: run synthetic desktop sessions against a server, or write one to a .tdpcap.
import { parseSize, runDemo } from "./fleet.ts";
import { writeDemoCapture } from "./session.ts";
import { type OptionSpecs, type ParsedArgs, parseCommandLine, UsageError } from "../../src/commandLine.ts";
import { errorMessage } from "../../src/errorMessage.ts";

const USAGE = `usage: deskreel demo [--sessions N] [--size WxH] [--duration S] [--server URL] [--seed N]
                    [--capture file.tdpcap] [--fast] [--tdpb] [--out file.tdpcap]
  --sessions N    concurrent desktop sessions (default 1), each a different user, desktop and seed
  --size WxH      screen size before the one resize (default 1920x1080)
  --duration S    session length in seconds (default 60)
  --server URL    server base URL (default $DESKREEL_SERVER or http://127.0.0.1:$PORT, port 8080)
  --seed N        seed of the first session (default 1); the same seed gives the same session
  --capture FILE  replay this .tdpcap instead of generating sessions
  --fast          send as fast as the server takes it instead of in real time
  --tdpb          speak TDPB (length-prefixed protobuf Envelopes, PNGFrame tiles) like newer Teleport agents
  --out FILE      only write the generated session to FILE (no server needed)
token: $DESKREEL_TOKEN or $DESKREEL_ADMIN_TOKEN`;

export interface DemoArgs {
  sessions: number;
  width: number;
  height: number;
  durationS: number;
  server: string;
  seed: number;
  capture?: string;
  realtime: boolean;
  tdpb: boolean;
  out?: string;
}

const DEMO_OPTIONS: OptionSpecs = {
  sessions: { type: "string" },
  size: { type: "string" },
  duration: { type: "string" },
  server: { type: "string" },
  seed: { type: "string" },
  capture: { type: "string" },
  out: { type: "string" },
  fast: { type: "boolean" },
  tdpb: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

function positiveInt(flag: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} ${raw}: expected an integer from 1 to ${max}`);
  return n;
}

export function parseDemoArgs(argv: readonly string[], env: Record<string, string | undefined> = process.env): DemoArgs {
  return demoArgs(parseCommandLine(argv, DEMO_OPTIONS), env);
}

function demoArgs(parsed: ParsedArgs, env: Record<string, string | undefined>): DemoArgs {
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
  const args: DemoArgs = {
    sessions: 1, width: 1920, height: 1080, durationS: 60, seed: 1,
    realtime: !parsed.flag("fast"), tdpb: parsed.flag("tdpb"), capture: parsed.string("capture"), out: parsed.string("out"),
    server: env.DESKREEL_SERVER || `http://127.0.0.1:${env.PORT || "8080"}`,
  };
  const sessions = parsed.string("sessions");
  if (sessions !== undefined) args.sessions = positiveInt("--sessions", sessions, 1000);
  const size = parsed.string("size");
  if (size !== undefined) {
    try {
      ({ width: args.width, height: args.height } = parseSize(size));
    } catch (err) {
      throw new UsageError(`--${errorMessage(err)}`);
    }
  }
  const duration = parsed.string("duration");
  if (duration !== undefined) {
    const s = Number(duration);
    if (!(s > 0 && s <= 24 * 3600)) throw new UsageError(`--duration ${duration}: expected seconds, more than 0`);
    args.durationS = s;
  }
  const server = parsed.string("server");
  if (server !== undefined) {
    if (!URL.canParse(server)) throw new UsageError(`--server ${server}: not a URL`);
    args.server = server;
  }
  const seed = parsed.string("seed");
  if (seed !== undefined) {
    const n = Number(seed);
    if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new UsageError(`--seed ${seed}: expected a non-negative integer`);
    args.seed = n;
  }
  return args;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Runs the demo and returns the process exit code: 0 all sessions ended cleanly, 1 otherwise, 2 bad usage. */
export async function demoCommand(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let args: DemoArgs;
  try {
    const parsed = parseCommandLine(argv, DEMO_OPTIONS);
    if (parsed.flag("help")) {
      console.log(USAGE);
      return 0;
    }
    args = demoArgs(parsed, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`deskreel demo: ${err.message}\n${USAGE}`);
    return 2;
  }

  if (args.out !== undefined) {
    if (args.tdpb) {
      console.error(`deskreel demo: --out writes a legacy .tdpcap; --tdpb is for streaming to a server\n${USAGE}`);
      return 2;
    }
    const started = performance.now();
    const stats = await writeDemoCapture(args.out, { width: args.width, height: args.height, durationS: args.durationS, seed: args.seed });
    const wall = (performance.now() - started) / 1000;
    console.log(`wrote ${args.out}: ${stats.messages} messages, ${stats.tiles} tiles, ${mb(stats.bytes)}, ${args.durationS} s of session in ${wall.toFixed(1)} s`);
    return 0;
  }

  const token = env.DESKREEL_TOKEN || env.DESKREEL_ADMIN_TOKEN;
  if (!token) {
    console.error("deskreel demo: set DESKREEL_TOKEN (or DESKREEL_ADMIN_TOKEN) to an ingest or admin token");
    return 2;
  }
  const stop = new AbortController();
  const onSigint = (): void => {
    console.log("stopping: closing the sessions");
    stop.abort();
  };
  process.once("SIGINT", onSigint);
  const source = args.capture ? `replaying ${args.capture}` : `${args.width}x${args.height}, ${args.durationS} s, seed ${args.seed}`;
  console.log(`demo: ${args.sessions} session(s) to ${args.server} (${source}${args.realtime ? "" : ", fast"}${args.tdpb ? ", TDPB" : ""})`);
  let lastLine = 0;
  try {
    const results = await runDemo({
      sessions: args.sessions, size: { width: args.width, height: args.height }, durationS: args.durationS, seed: args.seed,
      server: args.server, token, realtime: args.realtime, capture: args.capture, tdpb: args.tdpb, signal: stop.signal,
      onProgress: (label, p) => {
        // One line per session about every 5 s of wall time is enough to follow along.
        const now = performance.now();
        if (now - lastLine < 5000 / Math.max(1, args.sessions)) return;
        lastLine = now;
        console.log(`[${label}] ${(p.sessionMs / 1000).toFixed(0)}/${args.durationS} s, ${p.messages} messages, ${mb(p.bytes)}`);
      },
    });
    let ok = true;
    for (const r of results) {
      if (r.error !== undefined) {
        ok = false;
        console.log(`[${r.label}] failed: ${r.error}`);
        continue;
      }
      const clean = !r.closedByServer || r.closeCode === 1000;
      ok &&= clean && !r.aborted;
      const close = r.closedByServer ? `server closed ${r.closeCode}${r.closeReason ? ` (${r.closeReason})` : ""}` : "closed";
      const lag = r.maxLagMs > 250 ? `, fell ${r.maxLagMs} ms behind` : "";
      console.log(`[${r.label}] session ${r.sessionId}: ${r.messages} messages, ${mb(r.bytes)}, ${(r.sessionMs / 1000).toFixed(1)} s, ${close}, ${r.alerts.length} alert(s)${lag}`);
    }
    return ok ? 0 : 1;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
