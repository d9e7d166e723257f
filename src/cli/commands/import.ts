// `deskreel import <file|dir>...`: sends Teleport recordings to the server one by one with progress,
// then says what was imported, what was already there and what failed and why (with the byte offset
// the server found the problem at). Exit code 1 when any file failed.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ImportCreated } from "../../api/recordings.ts";
import { readError } from "../api.ts";
import type { ApiClient } from "../api.ts";
import { type OptionSpecs, type ParsedArgs, UsageError } from "../args.ts";
import { type CliContext, requireServer } from "../context.ts";
import { CliError, ServerUnreachableError } from "../errors.ts";
import { formatBytes, plural } from "../format.ts";
import { Progress } from "../progress.ts";
import { errorMessage } from "../../errorMessage.ts";

export const IMPORT_USAGE = `usage: deskreel import <file|dir>... [--json]
  A file is sent whatever its name; a directory is searched (recursively) for *.tar recordings.
  --json   the results as JSON: [{"file", "status": "imported"|"skipped"|"failed", "id"?, "error"?, "offset"?}]
Needs a running server and an admin token. Exit code 1 if any file failed.`;

export const IMPORT_OPTIONS: OptionSpecs = { json: { type: "boolean" } };

interface ImportResult {
  file: string;
  status: "imported" | "skipped" | "failed";
  id?: string;
  error?: string;
  offset?: number;
}

interface InputFile {
  path: string;
  size: number;
}

async function tarFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".tar") && !e.name.startsWith("."))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function collectFiles(paths: readonly string[]): Promise<InputFile[]> {
  const files: InputFile[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new CliError(`${path}: no such file or directory`);
    }
    const found = info.isDirectory() ? await tarFilesIn(path) : [path];
    if (info.isDirectory() && found.length === 0) throw new CliError(`${path}: no *.tar recordings in this directory`);
    for (const file of found) files.push({ path: file, size: file === path ? info.size : (await stat(file)).size });
  }
  return files;
}

/** The file as a request body that counts the bytes the upload has taken. */
function countingBody(path: string, onBytes: (n: number) => void): ReadableStream<Uint8Array> {
  const reader = Bun.file(path).stream().getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      onBytes(value.length);
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

async function importOne(api: ApiClient, file: InputFile, onBytes: (n: number) => void): Promise<ImportResult> {
  const name = file.path;
  const res = await api.fetch("/v1/recordings/import", {
    method: "POST",
    headers: { "content-type": "application/octet-stream", "content-length": String(file.size) },
    body: countingBody(file.path, onBytes),
  });
  if (res.status === 201) {
    const body = (await res.json()) as Partial<ImportCreated> | null;
    const id = typeof body?.id === "string" ? body.id : "?";
    return { file: name, status: "imported", id };
  }
  if (res.status === 401 || res.status === 403) throw await api.failure(res);
  const error = await readError(res);
  if (res.status === 409) return { file: name, status: "skipped", error: error.error };
  return { file: name, status: "failed", error: error.error, ...(error.offset === undefined ? {} : { offset: error.offset }) };
}

function summaryLines(results: readonly ImportResult[]): string[] {
  const count = (s: ImportResult["status"]) => results.filter((r) => r.status === s).length;
  const lines = [`imported ${count("imported")} of ${plural(results.length, "file")} (${count("skipped")} skipped, ${count("failed")} failed)`];
  const width = Math.max(...results.map((r) => r.file.length));
  for (const r of results) {
    const file = r.file.padEnd(width);
    if (r.status === "imported") lines.push(`  ok       ${file}  → ${r.id}`);
    else if (r.status === "skipped") lines.push(`  skipped  ${file}  ${r.error}`);
    else lines.push(`  FAILED   ${file}  ${r.offset === undefined ? "" : `at byte ${r.offset}: `}${r.error}`);
  }
  return lines;
}

export async function importCommand(args: ParsedArgs, ctx: CliContext): Promise<number> {
  if (args.positionals.length === 0) throw new UsageError("which files? give recordings or directories");
  const files = await collectFiles(args.positionals);
  const api = await requireServer(ctx, "import");
  const out = args.flag("json") ? ctx.stderr : ctx.stdout;
  const total = files.reduce((n, f) => n + f.size, 0);
  out.write(`importing ${plural(files.length, "file")} (${formatBytes(total)}) into ${ctx.serverUrl}\n`);
  const progress = new Progress(out, { label: "import", total });
  const results: ImportResult[] = [];
  let sent = 0;
  for (const [i, file] of files.entries()) {
    progress.relabel(`[${i + 1}/${files.length}] ${file.path}`);
    const before = sent;
    let result: ImportResult;
    try {
      result = await importOne(api, file, (n) => {
        sent += n;
        progress.update(sent);
      });
    } catch (err) {
      if (err instanceof CliError && !(err instanceof ServerUnreachableError)) throw err;
      result = { file: file.path, status: "failed", error: errorMessage(err) };
    }
    sent = before + file.size;
    progress.update(sent);
    results.push(result);
    if (result.status === "failed") progress.log(`failed: ${file.path}: ${result.offset === undefined ? "" : `at byte ${result.offset}: `}${result.error}`);
  }
  progress.finish("done");
  if (args.flag("json")) ctx.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else ctx.stdout.write(`${summaryLines(results).join("\n")}\n`);
  return results.some((r) => r.status === "failed") ? 1 : 0;
}
