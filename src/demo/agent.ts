// A synthetic desktop agent: opens the ingest WebSocket and streams a demo session (generated on
// the fly or replayed from a .tdpcap) one TDP message per binary frame, paced by the messages' times.
import { decodeMessage } from "../tdp/codec.ts";
import { MessageType, Severity } from "../tdp/messages.ts";
import { readTdpcap } from "../tdp/tdpcap.ts";
import { generateDemoSession, type DemoRecord } from "./session.ts";

export interface DemoAgentOptions {
  /** The server's HTTP base URL, e.g. http://127.0.0.1:8080. */
  server: string;
  token: string;
  desktop: string;
  user: string;
  /** Windows user. */
  login: string;
  addr?: string;
  sessionId?: string;
  width: number;
  height: number;
  durationS: number;
  seed: number;
  /** Pace messages by their delays (default true); false sends as fast as the socket takes them. */
  realtime?: boolean;
  /** Replay this .tdpcap instead of generating a session. */
  capture?: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** How long to stay connected after the last message for the server's late replies (default 250 ms). */
  lingerMs?: number;
  /** Called about once a second of session time. */
  onProgress?: (p: AgentProgress) => void;
}

export interface AgentProgress {
  sessionMs: number;
  messages: number;
  bytes: number;
}

export interface DemoAgentResult {
  sessionId?: string;
  messages: number;
  bytes: number;
  /** Alerts the server sent back, as "severity: message". */
  alerts: string[];
  /** How the socket closed: by us at the end (1000), or by the server with its code and reason. */
  closeCode: number;
  closeReason: string;
  closedByServer: boolean;
  aborted: boolean;
  /** Session time of the last message sent. */
  sessionMs: number;
  /** Realtime only: how far behind schedule the agent fell at worst. */
  maxLagMs: number;
}

// Bun's client takes headers; the DOM typings only know the protocols argument.
type HeaderWebSocket = new (url: string, options: { headers: Record<string, string> }) => WebSocket;
const SocketWithHeaders = WebSocket as unknown as HeaderWebSocket;

/** Stop writing while this much is queued on the socket, so memory stays bounded. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const CLOSE_WAIT_MS = 5000;
/** In fast mode, let incoming frames (alerts, close) through every this many messages. */
const FAST_YIELD_EVERY = 16;

export function ingestUrl(opts: Pick<DemoAgentOptions, "server" | "desktop" | "user" | "login" | "addr" | "sessionId">): string {
  const url = new URL("/v1/ingest/desktop", opts.server);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  url.searchParams.set("desktop", opts.desktop);
  url.searchParams.set("user", opts.user);
  url.searchParams.set("login", opts.login);
  if (opts.addr !== undefined) url.searchParams.set("addr", opts.addr);
  if (opts.sessionId !== undefined) url.searchParams.set("session_id", opts.sessionId);
  return url.toString();
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

async function* captureRecords(path: string): AsyncGenerator<DemoRecord> {
  yield* readTdpcap(await Bun.file(path).bytes());
}

function describeServerMessage(data: unknown): string | null {
  if (typeof data === "string") return `text: ${data.slice(0, 200)}`;
  if (!(data instanceof ArrayBuffer)) return null;
  try {
    const m = decodeMessage(new Uint8Array(data));
    if (m.type === MessageType.Alert) return `${Severity[m.severity]?.toLowerCase() ?? m.severity}: ${m.message}`;
    return `TDP type ${m.type}`;
  } catch (err) {
    return `undecodable ${data.byteLength}-byte frame (${err instanceof Error ? err.message : String(err)})`;
  }
}

export async function runDemoAgent(opts: DemoAgentOptions): Promise<DemoAgentResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const realtime = opts.realtime ?? true;
  const sessionId = opts.sessionId ?? crypto.randomUUID();
  const ws = new SocketWithHeaders(ingestUrl({ ...opts, sessionId }), { headers: { Authorization: `Bearer ${opts.token}` } });
  ws.binaryType = "arraybuffer";

  const result: DemoAgentResult = {
    sessionId, messages: 0, bytes: 0, alerts: [], closeCode: 0, closeReason: "", closedByServer: false, aborted: false, sessionMs: 0, maxLagMs: 0,
  };
  let open = false;
  let closing = false;
  let closed = false;
  let failure = "";
  const closedPromise = new Promise<void>((resolve) => {
    ws.addEventListener("close", (ev) => {
      closed = true;
      result.closeCode = ev.code;
      result.closeReason = ev.reason;
      result.closedByServer = !closing;
      resolve();
    });
  });
  const opened = new Promise<boolean>((resolve) => {
    ws.addEventListener("open", () => {
      open = true;
      resolve(true);
    });
    ws.addEventListener("error", (ev) => {
      failure = ev instanceof ErrorEvent && ev.message ? ev.message : "connection error";
      resolve(open);
    });
    void closedPromise.then(() => resolve(open));
  });
  ws.addEventListener("message", (ev) => {
    const text = describeServerMessage(ev.data);
    if (text === null) return;
    if (ev.data instanceof ArrayBuffer && new Uint8Array(ev.data)[0] === MessageType.Alert) result.alerts.push(text);
    log(`[${opts.user}@${opts.desktop}] server: ${text}`);
  });

  if (!(await opened) || closed) {
    const why = [failure, closed ? `closed with ${result.closeCode} ${result.closeReason}`.trim() : ""].filter(Boolean).join(", ");
    throw new Error(`ingest connection to ${opts.server} failed: ${why || "no reason given"}`);
  }

  const records = opts.capture !== undefined
    ? captureRecords(opts.capture)
    : generateDemoSession({ width: opts.width, height: opts.height, durationS: opts.durationS, seed: opts.seed, login: opts.login });
  const start = performance.now();
  let nextProgress = 1000;
  for await (const record of records) {
    if (closed || opts.signal?.aborted) break;
    if (realtime) {
      const wait = start + record.delayMs - performance.now();
      if (wait > 0) await sleep(wait, opts.signal);
      else result.maxLagMs = Math.max(result.maxLagMs, Math.round(-wait));
    } else if (result.messages % FAST_YIELD_EVERY === 0) {
      await yieldToEventLoop();
    }
    while (!closed && ws.bufferedAmount > HIGH_WATER_BYTES && !opts.signal?.aborted) await sleep(2, opts.signal);
    if (closed || opts.signal?.aborted) break;
    ws.send(record.data);
    result.messages++;
    result.bytes += record.data.length;
    result.sessionMs = record.delayMs;
    if (record.delayMs >= nextProgress) {
      nextProgress = record.delayMs + 1000;
      opts.onProgress?.({ sessionMs: record.delayMs, messages: result.messages, bytes: result.bytes });
    }
  }
  result.aborted = opts.signal?.aborted ?? false;
  if (!closed) {
    // Let what is queued go out before the close frame.
    const flushBy = performance.now() + CLOSE_WAIT_MS;
    while (ws.bufferedAmount > 0 && !closed && performance.now() < flushBy) await sleep(5);
    // Frames that arrive after close() are dropped, so give the server a moment to answer the last messages.
    if (!result.aborted) await sleep(opts.lingerMs ?? 250, opts.signal);
    closing = true;
    ws.close(1000, result.aborted ? "agent stopped" : "session ended");
    await Promise.race([closedPromise, sleep(CLOSE_WAIT_MS)]);
    if (!closed) {
      result.closeCode = 1000;
      result.closeReason = "no close reply";
    }
  }
  return result;
}

export { runDemo, demoIdentity, parseSize, type DemoIdentity, type RunDemoOptions, type DemoSessionResult } from "./fleet.ts";
export { demoCommand } from "./command.ts";
