// `deskreel watch`: the live sessions with their encode lag and frame rate, imports being encoded and
// the encoder pool's load, from GET /v1/status, refreshed in place on a terminal.
import type { StatusBody } from "../../api/status.ts";
import type { ApiClient } from "../api.ts";
import { type OptionSpecs, type ParsedArgs, UsageError } from "../args.ts";
import { type CliContext, requireServer } from "../context.ts";
import { CliError, ServerUnreachableError } from "../errors.ts";
import { formatBytes, formatDuration, formatTable, plural, shortId } from "../format.ts";
import { errorMessage } from "../../errorMessage.ts";

export const WATCH_USAGE = `usage: deskreel watch [--interval S] [--once] [--json]
  --interval S   refresh every S seconds (default 1)
  --once         show the status once and exit
  --json         print the status as JSON (with --once: once)
Live sessions (user, desktop/host, duration, messages, bytes, rejected, video lag and fps) and the
encoder pool's load. Needs a running server and an admin or auditor token. Ctrl-C stops.`;

export const WATCH_OPTIONS: OptionSpecs = { interval: { type: "string" }, once: { type: "boolean" }, json: { type: "boolean" } };

function isStatus(value: unknown): value is StatusBody {
  return typeof value === "object" && value !== null && "sessions" in value && Array.isArray(value.sessions) && "pool" in value;
}

export function renderStatus(status: StatusBody, serverUrl: string): string {
  const lines: string[] = [];
  const time = new Date(status.time).toLocaleTimeString();
  lines.push(`deskreel watch: ${serverUrl} at ${time}`);
  const workers = status.pool.workers;
  const busy = workers.map((w) => `${Math.round(w.busy * 100)}%`).join(" ");
  const restarts = workers.reduce((n, w) => n + w.restarts, 0);
  lines.push(`encoder pool: ${plural(workers.length, "worker")}, busy ${busy || "-"}, ${plural(status.pool.sessions, "video session")}${restarts ? `, ${restarts} restart(s)` : ""}`);
  lines.push("");
  if (status.sessions.length === 0) {
    lines.push("no live sessions");
  } else {
    lines.push(`${plural(status.sessions.length, "live session")}:`);
    lines.push(formatTable(
      [
        { header: "ID" }, { header: "KIND" }, { header: "USER" }, { header: "DESKTOP/HOST" },
        { header: "DURATION", align: "right" }, { header: "MSGS", align: "right" }, { header: "BYTES", align: "right" },
        { header: "REJ", align: "right" }, { header: "LAG", align: "right" }, { header: "FPS", align: "right" }, { header: "WORKER", align: "right" },
      ],
      status.sessions.map((s) => [
        shortId(s.id), s.kind, s.user, s.desktop, formatDuration(s.duration_ms), String(s.messages), formatBytes(s.bytes),
        String(s.rejected), s.video ? formatDuration(s.video.lag_ms) : "-", s.video ? s.video.fps.toFixed(1) : "-",
        s.video ? String(s.video.worker) : "-",
      ]),
    ));
  }
  if (status.imports.length > 0) {
    lines.push("");
    lines.push(`${plural(status.imports.length, "import")} encoding:`);
    lines.push(formatTable(
      [{ header: "ID" }, { header: "FRAMES", align: "right" }, { header: "FPS", align: "right" }, { header: "ENCODED", align: "right" }, { header: "WORKER", align: "right" }],
      status.imports.map((i) => [shortId(i.id), String(i.frames), i.fps.toFixed(1), formatBytes(i.encoded_bytes), String(i.worker)]),
    ));
  }
  return lines.join("\n");
}

async function fetchStatus(api: ApiClient): Promise<StatusBody> {
  const body = await api.json("/v1/status");
  if (!isStatus(body)) throw new CliError("the server's status answer is not what deskreel watch expects (an older server?)");
  return body;
}

export async function watchCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const intervalMs = args.number("interval", 1, 0.2, 3600) * 1000;
  const api = await requireServer(ctx, "watch");
  const show = (status: StatusBody): string => (args.flag("json") ? JSON.stringify(status) : renderStatus(status, ctx.serverUrl));
  if (args.flag("once")) {
    ctx.stdout.write(`${show(await fetchStatus(api))}\n`);
    return 0;
  }
  const inPlace = ctx.stdout.isTTY && !args.flag("json");
  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  process.on("SIGINT", onSigint);
  if (inPlace) ctx.stdout.write("\x1b[?25l\x1b[2J");
  try {
    while (!stop.signal.aborted) {
      let text: string;
      try {
        text = show(await fetchStatus(api));
      } catch (err) {
        if (!(err instanceof ServerUnreachableError)) throw err;
        text = `deskreel watch: ${errorMessage(err)}; retrying`;
      }
      // In place: home, draw, clear what the previous (longer) screen left below.
      if (inPlace) ctx.stdout.write(`\x1b[H${text.split("\n").map((l) => `${l}\x1b[K`).join("\n")}\n\x1b[J`);
      else ctx.stdout.write(`${text}\n\n`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        stop.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  } finally {
    process.off("SIGINT", onSigint);
    if (inPlace) ctx.stdout.write("\x1b[?25h");
  }
  return 0;
}
