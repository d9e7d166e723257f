// A synthetic desktop agent: opens the ingest WebSocket and streams a demo session (generated on
// the fly or replayed from a .tdpcap) one TDP (or, with `tdpb`, TDPB) message per binary frame, paced
// by the messages' times.
import { decodeFrame } from "../../src/tdp/eras.ts";
import { MessageType, Severity } from "../../src/tdp/messages.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { generateDemoSession, type DemoRecord } from "./session.ts";
import { asTdpbSession } from "./tdpbSession.ts";
import { errorMessage } from "../../src/errorMessage.ts";

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
  /** Speak TDPB (`u32 length | Envelope` frames, PNGFrame tiles) instead of legacy TDP. */
  tdpb?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /**
   * How long to stay connected after the last message for the server's late replies. Default 250 ms
   * when sending fast (the server may still be reading), 50 ms in real time (it has kept up).
   */
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

/** A server frame in words, and whether it is an alert (the server answers in legacy TDP or TDPB, as it was spoken to). */
function describeServerMessage(data: unknown): { text: string; alert: boolean } | null {
  if (typeof data === "string") return { text: `text: ${data.slice(0, 200)}`, alert: false };
  if (!(data instanceof ArrayBuffer)) return null;
  try {
    const frame = decodeFrame(new Uint8Array(data));
    const m = frame.messages[0];
    if (m?.type === MessageType.Alert) return { text: `${Severity[m.severity]?.toLowerCase() ?? m.severity}: ${m.message}`, alert: true };
    return { text: frame.tdpb ? `TDPB ${frame.tdpb.kind}` : `TDP type ${m?.type}`, alert: false };
  } catch (err) {
    return { text: `undecodable ${data.byteLength}-byte frame (${errorMessage(err)})`, alert: false };
  }
}

/** The ingest socket and what the server did with it: alerts it sent, whether and how it closed. */
class IngestConnection {
  readonly ws: WebSocket;
  readonly alerts: string[] = [];
  closed = false;
  closeCode = 0;
  closeReason = "";
  /** True once we started closing: a close after that is our own, not the server's. */
  closing = false;
  closedByServer = false;
  private failure = "";
  readonly closedPromise: Promise<void>;

  constructor(url: string, token: string, label: string, log: (line: string) => void) {
    this.ws = new SocketWithHeaders(url, { headers: { Authorization: `Bearer ${token}` } });
    this.ws.binaryType = "arraybuffer";
    this.closedPromise = new Promise((resolve) => {
      this.ws.addEventListener("close", (ev) => {
        this.closed = true;
        this.closeCode = ev.code;
        this.closeReason = ev.reason;
        this.closedByServer = !this.closing;
        resolve();
      });
    });
    this.ws.addEventListener("error", (ev) => {
      this.failure = ev instanceof ErrorEvent && ev.message ? ev.message : "connection error";
    });
    this.ws.addEventListener("message", (ev) => {
      const described = describeServerMessage(ev.data);
      if (described === null) return;
      if (described.alert) this.alerts.push(described.text);
      log(`[${label}] server: ${described.text}`);
    });
  }

  /** Resolves once open; throws with the server's answer if the upgrade is refused. */
  async opened(server: string): Promise<void> {
    const open = await new Promise<boolean>((resolve) => {
      this.ws.addEventListener("open", () => resolve(true), { once: true });
      void this.closedPromise.then(() => resolve(false));
    });
    if (open && !this.closed) return;
    const why = [this.failure, this.closed ? `closed with ${this.closeCode} ${this.closeReason}`.trim() : ""].filter(Boolean).join(", ");
    throw new Error(`ingest connection to ${server} failed: ${why || "no reason given"}`);
  }

  /** Lets queued frames go out, waits `lingerMs` for late replies, then closes and waits for the reply. */
  async close(code: number, reason: string, lingerMs: number): Promise<void> {
    if (this.closed) return;
    const flushBy = performance.now() + CLOSE_WAIT_MS;
    while (this.ws.bufferedAmount > 0 && !this.closed && performance.now() < flushBy) await sleep(5);
    // Frames that arrive after close() are dropped, so give the server a moment to answer the last messages.
    if (lingerMs > 0 && !this.closed) await sleep(lingerMs);
    if (this.closed) return;
    this.closing = true;
    this.ws.close(code, reason);
    await Promise.race([this.closedPromise, sleep(CLOSE_WAIT_MS)]);
    if (!this.closed) {
      this.closeCode = code;
      this.closeReason = "no close reply";
    }
  }
}

function sessionRecords(opts: DemoAgentOptions, capture: Uint8Array | null): AsyncIterable<DemoRecord> | Iterable<DemoRecord> {
  const legacy = capture !== null
    ? readTdpcap(capture)
    : generateDemoSession({ width: opts.width, height: opts.height, durationS: opts.durationS, seed: opts.seed, login: opts.login });
  return opts.tdpb ? asTdpbSession(legacy, opts.login) : legacy;
}

export async function runDemoAgent(opts: DemoAgentOptions): Promise<DemoAgentResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const realtime = opts.realtime ?? true;
  const sessionId = opts.sessionId ?? crypto.randomUUID();
  // Read the capture before connecting, so a bad file never opens a session.
  const capture = opts.capture !== undefined ? await Bun.file(opts.capture).bytes() : null;
  const records = sessionRecords(opts, capture);
  const conn = new IngestConnection(ingestUrl({ ...opts, sessionId }), opts.token, `${opts.user}@${opts.desktop}`, log);
  await conn.opened(opts.server);

  const sent = { messages: 0, bytes: 0, sessionMs: 0, maxLagMs: 0 };
  const stopped = (): boolean => conn.closed || (opts.signal?.aborted ?? false);
  // Waits end early when the caller aborts or the server closes (an idle stretch can last a minute).
  const wake = new AbortController();
  const onAbort = (): void => wake.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  void conn.closedPromise.then(onAbort);
  const start = performance.now();
  let nextProgress = 1000;
  try {
    for await (const record of records) {
      if (stopped()) break;
      if (realtime) {
        const wait = start + record.delayMs - performance.now();
        if (wait > 0) await sleep(wait, wake.signal);
        else sent.maxLagMs = Math.max(sent.maxLagMs, Math.round(-wait));
      } else if (sent.messages % FAST_YIELD_EVERY === 0) {
        await yieldToEventLoop();
      }
      while (!stopped() && conn.ws.bufferedAmount > HIGH_WATER_BYTES) await sleep(2, wake.signal);
      if (stopped()) break;
      conn.ws.send(record.data);
      sent.messages++;
      sent.bytes += record.data.length;
      sent.sessionMs = record.delayMs;
      if (record.delayMs >= nextProgress) {
        nextProgress = record.delayMs + 1000;
        opts.onProgress?.({ sessionMs: record.delayMs, messages: sent.messages, bytes: sent.bytes });
      }
    }
  } catch (err) {
    await conn.close(4000, "agent error", 0);
    throw err;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
  const aborted = opts.signal?.aborted ?? false;
  await conn.close(1000, aborted ? "agent stopped" : "session ended", aborted ? 0 : (opts.lingerMs ?? (realtime ? 50 : 250)));
  return {
    sessionId, ...sent, alerts: conn.alerts, closeCode: conn.closeCode, closeReason: conn.closeReason,
    closedByServer: conn.closedByServer, aborted,
  };
}
