// `deskreel export <id> --from T --to T`: a part of a desktop recording as its own MP4, cut by the server
// (GET /v1/recordings/:id/clip.mp4), or from the data dir when no server answers.
import { rename, rm } from "node:fs/promises";
import { basename } from "node:path";
import { ClipExporter, ClipError, type ClipSpan } from "../../sessions/clipExport.ts";
import { fileSink } from "../../video/mp4/io.ts";
import type { ApiClient } from "../api.ts";
import { type ParsedArgs, UsageError } from "../args.ts";
import { parseClipTime } from "../clipTime.ts";
import type { CliContext } from "../context.ts";
import type { LocalData } from "../localData.ts";
import { CliError } from "../errors.ts";
import { formatBytes, formatDuration } from "../format.ts";
import { Progress } from "../progress.ts";

/** The span --from/--to ask for, or null when neither is given (the whole recording). */
export function clipSpanOf(args: ParsedArgs): ClipSpan | null {
  const from = args.string("from");
  const to = args.string("to");
  if (from === undefined && to === undefined) return null;
  if (from === undefined || to === undefined) throw new UsageError("a clip needs both --from and --to");
  const span = { fromMs: parseClipTime("from", from), toMs: parseClipTime("to", to) };
  if (span.toMs <= span.fromMs) throw new UsageError(`--to ${to} must be after --from ${from}`);
  return span;
}

function fileNameFrom(disposition: string | null): string | null {
  const match = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  return match?.[1] ? basename(match[1]) : null;
}

const spanText = (span: ClipSpan) => `${formatDuration(span.fromMs)}–${formatDuration(span.toMs)}`;

export async function exportClipFromServer(
  api: ApiClient,
  id: string,
  span: ClipSpan,
  args: ParsedArgs,
  ctx: CliContext,
  writeStream: (stream: ReadableStream<Uint8Array>, path: string, progress: Progress, offset: number) => Promise<number>,
): Promise<number> {
  const res = await api.ok(`/v1/recordings/${encodeURIComponent(id)}/clip.mp4?from=${span.fromMs}&to=${span.toMs}`);
  const out = args.string("output") ?? fileNameFrom(res.headers.get("content-disposition")) ?? `${id}-clip-${span.fromMs}-${span.toMs}.mp4`;
  const total = Number(res.headers.get("x-clip-bytes")) || null;
  const progress = new Progress(ctx.stdout, { label: `export ${basename(out)}`, total });
  const partial = `${out}.part`;
  if (!res.body) throw new CliError("the server sent no body");
  let written: number;
  try {
    written = await writeStream(res.body, partial, progress, 0);
    if (total !== null && written !== total) throw new CliError(`the clip ended after ${written} of ${total} bytes`);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  await rename(partial, out);
  progress.finish(`wrote ${out} (${formatBytes(written)}, ${spanText(span)} of ${id})`);
  return 0;
}

/** Cuts the clip from the data dir: what the server would do, for a recording whose video is stored. */
export async function exportClipLocally(data: LocalData, id: string, span: ClipSpan, args: ParsedArgs, ctx: CliContext): Promise<number> {
  const row = await data.catalog.getRecording(id);
  if (!row) throw new CliError(`recording ${id} not found in ${data.dataDir}`);
  const out = args.string("output") ?? `${id}-clip-${span.fromMs}-${span.toMs}.mp4`;
  let clip;
  try {
    clip = await new ClipExporter(data.store).prepare(row, Math.max(row.durationMs, row.videoDurationMs), span);
  } catch (err) {
    if (err instanceof ClipError) throw new CliError(err.message);
    throw err;
  }
  const result = await clip.write(await fileSink(out));
  ctx.stdout.write(`wrote ${out} (${formatBytes(result.bytes)}, ${spanText(span)} of ${id}; ${clip.reencoded} pictures re-encoded, ${clip.copied} copied)\n`);
  return 0;
}
