// `deskreel ls`: the recordings list with the API's filters, as an aligned table or JSON.
import type { RecordingItem as ApiRecordingItem, RecordingPage as Page } from "../../api/recordings.ts";
import { toApiItem } from "../../api/recordingView.ts";
import type { RecordingFilter } from "../../catalog/types.ts";
import { type OptionSpecs, type ParsedArgs, UsageError } from "../args.ts";
import { type CliContext, closeSource, openSource, type Source } from "../context.ts";
import { formatBytes, formatDuration, formatTable, formatTime, plural } from "../format.ts";

export const LS_USAGE = `usage: deskreel ls [filters] [--all] [--json]
  --kind desktop|ssh     only this kind of session
  --user NAME            sessions of this user
  --desktop NAME         sessions on this desktop or host (name or address)
  --q TEXT               free text over user, login, desktop/host and session id
  --from TIME --to TIME  sessions active between these RFC 3339 times (from = to: active at that moment)
  --status S             live|complete|interrupted|failed
  --has-marker KIND      clipboard|resize|alert|file_transfer
  --sort KEY             start|duration|user|desktop (default start; duration is 0 for live sessions)
  --order asc|desc       default desc; --cursor continues only the sort and order it came from
  --limit N              at most N per page (1..500, default 50)
  --cursor C             the page after a previous one (its "next")
  --all                  follow the pages to the end
  --json                 {"items": [...], "next": ...} as the API returns it
Newest first unless sorted. Without a server, reads the data dir (--data DIR, default $DESKREEL_DATA or ./data).`;

export const LS_OPTIONS: OptionSpecs = {
  kind: { type: "string" }, user: { type: "string" }, desktop: { type: "string" }, q: { type: "string" },
  from: { type: "string" }, to: { type: "string" }, status: { type: "string" }, "has-marker": { type: "string" },
  limit: { type: "string" }, sort: { type: "string" }, order: { type: "string" }, cursor: { type: "string" }, all: { type: "boolean" }, json: { type: "boolean" },
};

const FILTER_FLAGS = ["kind", "user", "desktop", "q", "from", "to", "status", "has-marker", "limit", "sort", "order", "cursor"] as const;

function isPage(value: unknown): value is Page {
  return typeof value === "object" && value !== null && "items" in value && Array.isArray(value.items) && "next" in value;
}

/** The API's own check of a recordings query (loaded only when ls runs: it brings in the schema library). */
async function recordingQuery(params: URLSearchParams): Promise<RecordingFilter> {
  const [{ parseRecordingQuery }, { SchemaError }] = await Promise.all([import("../../api/recordings.ts"), import("../../api/validation.ts")]);
  try {
    return parseRecordingQuery(params);
  } catch (err) {
    if (err instanceof SchemaError) throw new UsageError(err.message.replace(/^has_marker/, "has-marker"));
    throw err;
  }
}

/** The filters as API query parameters (the flag names with - as _). Checked here so bad ones are usage errors. */
async function filterParams(args: ParsedArgs): Promise<URLSearchParams> {
  const params = new URLSearchParams();
  for (const flag of FILTER_FLAGS) {
    const value = args.string(flag);
    if (value !== undefined) params.set(flag.replace("-", "_"), value);
  }
  await recordingQuery(params);
  return params;
}

async function fetchPage(source: Source, params: URLSearchParams): Promise<Page> {
  if (source.mode === "server") {
    const body = await source.api.json(`/v1/recordings?${params}`);
    if (!isPage(body)) throw new Error("the server's answer is not a recordings page");
    return body;
  }
  const page = await source.data.catalog.listRecordings(await recordingQuery(params));
  return { items: page.items.map(toApiItem), next: page.next };
}

function videoCell(item: ApiRecordingItem): string {
  if (item.kind === "ssh") return "-";
  if (item.video.state === "ready") return `ready ${formatBytes(item.video.bytes)}`;
  return item.video.state;
}

const MARKER_NAMES: Record<string, string> = { clipboard: "clipboard", resize: "resize", alert: "alert", file_transfer: "file" };

function markersCell(item: ApiRecordingItem): string {
  const parts = Object.entries(item.markers)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${MARKER_NAMES[kind] ?? kind}`);
  return parts.length > 0 ? parts.join(", ") : "-";
}

export function recordingsTable(items: readonly ApiRecordingItem[]): string {
  return formatTable(
    [
      { header: "ID" }, { header: "KIND" }, { header: "USER" }, { header: "DESKTOP/HOST" }, { header: "START" },
      { header: "DURATION", align: "right" }, { header: "STATUS" }, { header: "VIDEO" }, { header: "MARKERS" },
    ],
    items.map((item) => [
      item.id, item.kind, item.user, item.desktop_name || item.desktop_addr || "-", formatTime(item.start),
      item.status === "live" ? `${formatDuration(item.duration_ms)}+` : formatDuration(item.duration_ms),
      item.status, videoCell(item), markersCell(item),
    ]),
  );
}

export async function lsCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const params = await filterParams(args);
  const source = await openSource(ctx);
  try {
    const items: ApiRecordingItem[] = [];
    let next: string | null = null;
    for (;;) {
      const page = await fetchPage(source, params);
      items.push(...page.items);
      next = page.next;
      if (!args.flag("all") || next === null) break;
      params.set("cursor", next);
    }
    if (args.flag("json")) {
      ctx.stdout.write(`${JSON.stringify({ items, next }, null, 2)}\n`);
      ctx.stderr.write(`(from ${source.describe})\n`);
      return 0;
    }
    if (items.length > 0) ctx.stdout.write(`${recordingsTable(items)}\n`);
    const more = next === null ? "" : `; more: --cursor ${next} (or --all)`;
    ctx.stdout.write(`${plural(items.length, "recording")} from ${source.describe}${more}\n`);
    return 0;
  } finally {
    await closeSource(source);
  }
}
