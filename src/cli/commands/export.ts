// `deskreel export <id>`: the MP4 of a desktop recording, downloaded with a progress bar. Waits while
// the session is live or its video is still encoding; resumes an interrupted download with Range.
import { open, rename, rm } from "node:fs/promises";
import { basename } from "node:path";
import type { RecordingItem as ApiRecordingItem } from "../../api/recordings.ts";
import { toApiItem } from "../../api/recordingView.ts";
import { blobKeys, isValidSessionId } from "../../storage/sessionKeys.ts";
import type { ApiClient } from "../api.ts";
import { type OptionSpecs, type ParsedArgs, UsageError } from "../args.ts";
import { type CliContext, closeSource, openSource } from "../context.ts";
import { CliError, ServerUnreachableError } from "../errors.ts";
import { formatBytes, formatDuration } from "../format.ts";
import { Progress } from "../progress.ts";
import { clipSpanOf, exportClipFromServer, exportClipLocally } from "./exportClip.ts";
import { errorMessage } from "../../errorMessage.ts";

export const EXPORT_USAGE = `usage: deskreel export <id> [-o file.mp4] [--no-wait] [--from TIME --to TIME]
  -o, --output FILE   where to write (default: the server's name for it, <desktop>-<start>.mp4)
  --no-wait           fail instead of waiting while the session is live or its video is encoding
  --from, --to TIME   only this part (a clip): times from the recording's start, 90 / 90s / 1:30 /
                      1:02:03.5 / 2500ms; a live recording can be cut up to what it has recorded
Downloads the H.264 MP4 of a desktop recording. Without a server, copies a finished MP4 from the data dir
(or cuts the clip there).`;

export const EXPORT_OPTIONS: OptionSpecs = {
  output: { type: "string", short: "o" },
  "no-wait": { type: "boolean" },
  from: { type: "string" },
  to: { type: "string" },
};

const POLL_MS = 1000;
const MAX_RESUMES = 5;

function isItem(value: unknown): value is ApiRecordingItem {
  return typeof value === "object" && value !== null && "id" in value && "kind" in value && "video" in value && "status" in value;
}

/** Why the MP4 cannot be had now: null when it is ready. Throws when it never will be. */
function notReady(item: ApiRecordingItem): string | null {
  if (item.kind === "ssh") throw new CliError(`${item.id} is an SSH recording and has no video; play it with: deskreel play ${item.id}`);
  if (item.video.state === "failed") throw new CliError(`the video of ${item.id} failed${item.error ? `: ${item.error}` : ""}`);
  if (item.status === "live") return `session live, ${formatDuration(item.duration_ms)} recorded`;
  if (item.video.state === "encoding") return "video encoding";
  return null;
}

function fileNameFrom(disposition: string | null): string | null {
  const match = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  return match?.[1] ? basename(match[1]) : null;
}

export async function exportCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [id, extra] = args.positionals;
  if (id === undefined) throw new UsageError("which recording? give its id");
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
  if (!isValidSessionId(id)) throw new UsageError(`${id} is not a recording id`);
  const span = clipSpanOf(args);
  const source = await openSource(ctx);
  try {
    ctx.stderr.write(`(from ${source.describe})\n`);
    if (span) {
      return source.mode === "server"
        ? await exportClipFromServer(source.api, id, span, args, ctx, writeStream)
        : await exportClipLocally(source.data, id, span, args, ctx);
    }
    if (source.mode === "server") return await exportFromServer(source.api, id, args, ctx);
    const row = await source.data.catalog.getRecording(id);
    if (!row) throw new CliError(`recording ${id} not found in ${source.data.dataDir}`);
    const waiting = notReady(toApiItem(row));
    const key = blobKeys(id).video;
    const size = await source.data.store.size(key);
    if (waiting !== null || size === null) {
      throw new CliError(`the MP4 of ${id} is not finished (${waiting ?? "no final file"}); the server finishes it: start it and export again`);
    }
    const out = args.string("output") ?? `${id}.mp4`;
    const progress = new Progress(ctx.stdout, { label: `export ${basename(out)}`, total: size });
    await writeStream(source.data.store.stream(key), out, progress, 0);
    progress.finish(`wrote ${out} (${formatBytes(size)})`);
    return 0;
  } finally {
    await closeSource(source);
  }
}

function sizeHeader(value: string | null): number | null {
  const n = Number(value ?? "NaN");
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** The full size from "bytes 0-99/1234". */
function totalFromContentRange(value: string | null): number | null {
  const match = value ? /\/(\d+)$/.exec(value) : null;
  return match ? sizeHeader(match[1] ?? null) : null;
}

/**
 * HEAD gives the size, the ETag and the file name; the body comes in Range requests from the first byte
 * not yet written, so a dropped connection resumes where it stopped (If-Range: all over again if the
 * file changed meanwhile).
 */
async function exportFromServer(api: ApiClient, id: string, args: ParsedArgs, ctx: CliContext): Promise<number> {
  const item = await waitUntilReady(api, id, args.flag("no-wait"), ctx);
  const path = `/v1/recordings/${encodeURIComponent(id)}/video.mp4?download=1`;
  const head = await api.ok(path, { method: "HEAD" });
  let total = sizeHeader(head.headers.get("content-length"));
  const etag = head.headers.get("etag");
  const out = args.string("output") ?? fileNameFrom(head.headers.get("content-disposition")) ?? `${id}.mp4`;
  const progress = new Progress(ctx.stdout, { label: `export ${basename(out)}`, total });
  const partial = `${out}.part`;
  let received = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const headers: Record<string, string> = { range: `bytes=${received}-` };
      if (etag) headers["if-range"] = etag;
      const res = await api.ok(path, { headers });
      if (res.status === 206) {
        total ??= totalFromContentRange(res.headers.get("content-range"));
      } else {
        received = 0; // the server sent the whole file (it changed, or ignores ranges)
        total = sizeHeader(res.headers.get("content-length")) ?? total;
      }
      progress.relabel(`export ${basename(out)}`, total);
      if (!res.body) throw new Error("the server sent no body");
      received = await writeStream(res.body, partial, progress, received);
      if (total === null || received >= total) break;
      throw new Error(`the connection ended after ${received} of ${total} bytes`);
    } catch (err) {
      if (err instanceof CliError && !(err instanceof ServerUnreachableError)) throw err;
      if (attempt >= MAX_RESUMES) {
        await rm(partial, { force: true });
        throw new CliError(`download of ${id} failed: ${errorMessage(err)}`);
      }
      progress.log(`download interrupted (${errorMessage(err)}); resuming at byte ${received}`);
      await Bun.sleep(500 * (attempt + 1));
    }
  }
  await rename(partial, out);
  progress.finish(`wrote ${out} (${formatBytes(received)}, ${formatDuration(item.video.duration_ms || item.duration_ms)} of video)`);
  return 0;
}

async function waitUntilReady(api: ApiClient, id: string, noWait: boolean, ctx: CliContext): Promise<ApiRecordingItem> {
  let lastState = "";
  let lastPlain = 0;
  for (;;) {
    const body = await api.json(`/v1/recordings/${encodeURIComponent(id)}`);
    if (!isItem(body)) throw new CliError(`the server's answer for ${id} is not a recording`);
    const waiting = notReady(body);
    if (waiting === null) {
      if (lastState !== "" && ctx.stdout.isTTY) ctx.stdout.write("\r\x1b[K");
      if (lastState !== "") ctx.stdout.write("video ready\n");
      return body;
    }
    if (noWait) throw new CliError(`the MP4 of ${id} is not ready yet (${waiting})`);
    const state = waiting.startsWith("session live") ? "live" : "encoding";
    if (ctx.stdout.isTTY) ctx.stdout.write(`\r\x1b[Kwaiting: ${waiting}…`);
    else if (state !== lastState || Date.now() - lastPlain > 10_000) {
      ctx.stdout.write(`waiting: ${waiting}\n`);
      lastPlain = Date.now();
    }
    lastState = state;
    await Bun.sleep(POLL_MS);
  }
}

/** Writes a stream to a file from byte `offset` on (0: a new file), with progress. Returns the bytes the file holds. */
async function writeStream(stream: ReadableStream<Uint8Array>, path: string, progress: Progress, offset: number): Promise<number> {
  const file = await open(path, offset === 0 ? "w" : "r+");
  let written = offset;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await file.write(value, 0, value.length, written);
      written += value.length;
      progress.update(written);
    }
  } finally {
    reader.releaseLock();
    await file.close();
  }
  return written;
}
