// `deskreel verify <id|file>`: reads a recording end to end and reports what it holds and what is wrong
// with it. Exit code 1 when the file is malformed or cut short (--strict: also for any problem found).
import type { RecordingSummary } from "../../recording/scan.ts";
import { scanRecording } from "../../recording/scan.ts";
import { type OptionSpecs, type ParsedArgs, UsageError } from "../args.ts";
import type { CliContext } from "../context.ts";
import { formatBytes, formatDuration, formatTime } from "../format.ts";
import { openRecordingInput } from "../recordingInput.ts";
import { evidenceLines, evidenceOfFile, evidenceOfId } from "../evidenceCheck.ts";

export const VERIFY_USAGE = `usage: deskreel verify <id|file> [--json] [--strict]
  Parses every part and event of a Teleport protostream recording and reports event counts, duration,
  index gaps and duplicates, truncation and other problems.
  --json     the summary as JSON
  --strict   exit 1 for any problem, not only for a malformed or truncated file
  An id is also checked for tampering (signature, hash chain, every stored object; see docs/evidence.md).
  A file is checked against --manifest M.json and/or --chain C.jsonl (--video V.mp4 too), with --key
  (PEM file, PEM or base64, as GET /v1/signing-key gives it; default: the key the manifest names).
Exit code 1 when the file is malformed or truncated, or does not match its signed evidence.`;

export const VERIFY_OPTIONS: OptionSpecs = {
  json: { type: "boolean" }, strict: { type: "boolean" },
  manifest: { type: "string" }, chain: { type: "string" }, video: { type: "string" }, key: { type: "string" },
};

const TDP_NAMES: Record<number, string> = {
  1: "screen spec", 2: "png frame", 3: "mouse move", 4: "mouse button", 6: "clipboard", 9: "mouse wheel",
  27: "png2 frame", 28: "alert", 29: "notification", 31: "rdp fast path",
};

type Verdict = "ok" | "malformed" | "truncated";

function verdictOf(s: RecordingSummary): Verdict {
  if (s.error !== null) return "malformed";
  if (s.truncatedAt !== null) return "truncated";
  return "ok";
}

function counts(record: Record<string | number, number>, name: (key: string) => string = (k) => k): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? "none" : entries.map(([k, n]) => `${name(k)} ${n}`).join(", ");
}

function report(s: RecordingSummary, describe: string, size: number | null, verdict: Verdict, extra: Array<[string, string]>): string {
  const lines: Array<[string, string]> = [["source", describe]];
  lines.push(["size", `${size === null ? "" : `${formatBytes(size)}, `}${s.parts} part(s) read, ${s.bytes} bytes consumed`]);
  lines.push(["session", `${s.sessionId ?? "unknown"} (${s.kind})`]);
  if (s.start) {
    const target = s.start.type === "session.start" ? s.start.serverHostname : s.start.desktopName;
    lines.push(["start", `${formatTime(s.start.time)}: ${s.start.user} as ${s.start.login || "-"} on ${target || "-"}`]);
  }
  if (s.end) lines.push(["end", `${formatTime(s.end.endTime)}, participants: ${s.end.participants.join(", ") || "-"}`]);
  lines.push(["duration", `${formatDuration(s.durationMs)} of playback${s.firstTime && s.lastTime ? ` (events from ${formatTime(s.firstTime)} to ${formatTime(s.lastTime)})` : ""}`]);
  lines.push(["events", `${s.events}: ${counts(s.counts)}`]);
  const tdpb = Object.keys(s.tdpbMessageCounts).length > 0;
  // A recording of one era shows that era's counts; legacy is listed for a desktop recording without TDPB.
  if (s.kind === "desktop" && (!tdpb || Object.keys(s.tdpMessageCounts).length > 0)) {
    lines.push(["tdp", counts(s.tdpMessageCounts, (k) => TDP_NAMES[Number(k)] ?? `type ${k}`)]);
  }
  if (tdpb) lines.push(["tdpb", counts(s.tdpbMessageCounts)]);
  if (s.screen) lines.push(["screen", `${s.screen.width}×${s.screen.height}`]);
  lines.push(["order", `${s.skippedEvents} duplicate(s) skipped, ${s.outOfOrderEvents} index gap(s)`]);
  const problems = s.problems.length === 0 ? ["none"] : s.problems;
  lines.push(["problems", problems[0] ?? ""]);
  for (const p of problems.slice(1)) lines.push(["", p]);
  const result =
    verdict === "malformed" ? `MALFORMED at byte ${s.error?.offset}: ${s.error?.reason}`
    : verdict === "truncated" ? `TRUNCATED: the last part, from byte ${s.truncatedAt}, is incomplete`
    : s.problems.length > 0 ? "readable, with problems" : "OK";
  lines.push(["result", result]);
  lines.push(...extra);
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

export async function verifyCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [ref, extra] = args.positionals;
  if (ref === undefined) throw new UsageError("which recording? give an id or a file");
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
  const input = await openRecordingInput(ref, ctx);
  let summary: RecordingSummary;
  try {
    summary = await scanRecording(input.stream);
  } finally {
    await input.close();
  }
  const verdict = verdictOf(summary);
  const evidence = input.id !== null
    ? await evidenceOfId(input.id, ctx)
    : await evidenceOfFile(ref, { manifest: args.string("manifest") ?? null, chain: args.string("chain") ?? null, video: args.string("video") ?? null, key: args.string("key") ?? null }, summary.sessionId);
  if (args.flag("json")) {
    const { error, start, end, ...rest } = summary;
    const json = {
      source: input.describe, size: input.size, verdict, ...rest,
      error: error === null ? null : { offset: error.offset, reason: error.reason, message: error.message },
      start: start === null ? null : { type: start.type, time: start.time, user: start.user, login: start.login },
      end: end === null ? null : { type: end.type, time: end.time, participants: end.participants },
      evidence,
    };
    ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const extra = evidence === null ? [] : evidenceLines(evidence);
    ctx.stdout.write(`${report(summary, input.describe, input.size, verdict, extra)}\n`);
  }
  if (verdict !== "ok" || evidence?.verdict === "failed") return 1;
  return args.flag("strict") && summary.problems.length > 0 ? 1 : 0;
}
