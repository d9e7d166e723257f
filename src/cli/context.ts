// What every command gets: the global options resolved from flags and environment, where to write,
// and the choice between the server and the data dir.
import { resolve } from "node:path";
import { ApiClient } from "./api.ts";
import type { ParsedArgs } from "./args.ts";
import { UsageError } from "./args.ts";
import { CliError, ServerUnreachableError } from "./errors.ts";
import { LocalData } from "./localData.ts";

export interface Output {
  write(text: string): void;
  readonly isTTY: boolean;
}

export interface CliContext {
  env: Record<string, string | undefined>;
  serverUrl: string;
  token: string | null;
  dataDir: string;
  /** --local: use the data dir even if a server answers. */
  forceLocal: boolean;
  stdout: Output;
  stderr: Output;
}

/** Where a command reads from: the server, or the data dir because no server answered. */
export type Source =
  | { mode: "server"; api: ApiClient; describe: string }
  | { mode: "local"; data: LocalData; describe: string };

const PROBE_TIMEOUT_MS = 3000;

function output(stream: NodeJS.WriteStream): Output {
  return { write: (text) => void stream.write(text), isTTY: stream.isTTY === true };
}

export function createContext(args: ParsedArgs, env: Record<string, string | undefined>): CliContext {
  const serverUrl = args.string("server") ?? env.DESKREEL_SERVER ?? "http://127.0.0.1:8080";
  if (!URL.canParse(serverUrl) || !/^https?:$/.test(new URL(serverUrl).protocol)) throw new UsageError(`--server ${serverUrl}: not an http(s) URL`);
  return {
    env,
    serverUrl: serverUrl.replace(/\/+$/, ""),
    token: env.DESKREEL_TOKEN || env.DESKREEL_ADMIN_TOKEN || null,
    dataDir: resolve(args.string("data") ?? (env.DESKREEL_DATA || "./data")),
    forceLocal: args.flag("local"),
    stdout: output(process.stdout),
    stderr: output(process.stderr),
  };
}

export function apiClient(ctx: CliContext): ApiClient {
  return new ApiClient(ctx.serverUrl, ctx.token);
}

/** Does anything answer at the server URL? (Any HTTP answer counts, even 401.) */
async function serverAnswers(api: ApiClient): Promise<boolean> {
  try {
    await api.fetch("/v1/auth/me", { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return true;
  } catch (err) {
    if (err instanceof ServerUnreachableError) return false;
    throw err;
  }
}

/** The server if one answers (and --local is not given), else the data dir. Close it with closeSource. */
export async function openSource(ctx: CliContext): Promise<Source> {
  const api = apiClient(ctx);
  if (!ctx.forceLocal && (await serverAnswers(api))) return { mode: "server", api, describe: `server ${ctx.serverUrl}` };
  let data: LocalData;
  try {
    data = await LocalData.open(ctx.dataDir, ctx.env);
  } catch (err) {
    if (ctx.forceLocal || !(err instanceof CliError)) throw err;
    throw new CliError(`no server answered at ${ctx.serverUrl} (set --server or DESKREEL_SERVER), and ${err.message}`);
  }
  const why = ctx.forceLocal ? "--local" : `no server at ${ctx.serverUrl}`;
  return { mode: "local", data, describe: `data dir ${data.dataDir} (${why})` };
}

export async function closeSource(source: Source): Promise<void> {
  if (source.mode === "local") await source.data.close();
}

/** A server is required (import, watch): say so clearly when there is none. */
export async function requireServer(ctx: CliContext, what: string): Promise<ApiClient> {
  const api = apiClient(ctx);
  if (ctx.forceLocal) throw new UsageError(`${what} needs a running server; --local cannot be used`);
  if (!(await serverAnswers(api))) throw new ServerUnreachableError(ctx.serverUrl, `${what} needs a running server; start one with bun start or pass --server URL`);
  return api;
}
