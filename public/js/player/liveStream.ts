// A live session as MediaSource: the /live WebSocket sends an init segment, then one small fragment per frame,
// then {"type":"end"}. Appends are queued (batched while the SourceBuffer is busy); the newest frame's arrival time
// gives the live edge on the recording's clock.
import { codecString, defaultSampleDuration, fragmentSpan, topLevelBoxes, trackTimescale } from "../lib/mp4.ts";

export interface LiveStreamEvents {
  onData(): void;
  onEnd(): void;
  onError(message: string): void;
}

const RECONNECT_MS = 2000;
const MAX_FAILED_CONNECTS = 3;
/** When the buffer is full, keep this much before the playhead. */
const KEEP_BEHIND_SECONDS = 120;

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class LiveStream {
  readonly mediaSource = new MediaSource();
  readonly objectUrl = URL.createObjectURL(this.mediaSource);
  private socket: WebSocket | null = null;
  private buffer: SourceBuffer | null = null;
  private pending: Uint8Array[] = [];
  private init: Uint8Array | null = null;
  private timescale = 0;
  private defaultDuration = 0;
  private newest: { start: number; end: number; arrived: number } | null = null;
  private firstStart: number | null = null;
  private closed = false;
  private failedConnects = 0;
  ended = false;
  fragments = 0;

  constructor(
    private readonly wsPath: string,
    private readonly mp4Path: string,
    private readonly events: LiveStreamEvents,
    private readonly playhead: () => number,
  ) {
    this.mediaSource.addEventListener("sourceopen", () => this.connect(), { once: true });
  }

  /** The recording's "now": the newest frame's time plus how long ago it came. */
  liveEdge(now = performance.now()): number {
    if (!this.newest) return 0;
    if (this.ended) return this.newest.end;
    return Math.max(this.newest.end, this.newest.start + (now - this.newest.arrived) / 1000);
  }

  get hasData(): boolean {
    return this.newest !== null;
  }

  private connect(): void {
    if (this.closed) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${this.wsPath}`);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    let received = false;
    socket.addEventListener("message", (event) => {
      received = true;
      this.failedConnects = 0;
      this.onMessage(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (this.closed || this.ended) return;
      if (event.code === 1008 || event.code === 4401 || event.code === 4403) {
        this.events.onError(event.reason || "not allowed to watch this session");
        return;
      }
      if (!received && ++this.failedConnects >= MAX_FAILED_CONNECTS) {
        this.events.onError("cannot connect to the live stream");
        return;
      }
      setTimeout(() => this.connect(), RECONNECT_MS);
    });
  }

  private onMessage(data: unknown): void {
    if (typeof data === "string") {
      try {
        const message: unknown = JSON.parse(data);
        if (typeof message === "object" && message !== null && "type" in message) {
          if (message.type === "end") {
            this.ended = true;
            this.events.onEnd();
          } else if (message.type === "error" && "error" in message) {
            this.events.onError(String(message.error));
          }
        }
      } catch {
        // not JSON: ignore
      }
      return;
    }
    if (!(data instanceof ArrayBuffer)) return;
    const bytes = new Uint8Array(data);
    const first = topLevelBoxes(bytes)[0]?.type;
    if (first === "ftyp" || first === "moov") {
      this.onInit(bytes);
      return;
    }
    this.onFragment(bytes);
  }

  private onInit(init: Uint8Array): void {
    if (this.init) return; // a reconnect repeats it; the SourceBuffer already has it
    this.init = init;
    this.timescale = trackTimescale(init) ?? 90000;
    this.defaultDuration = defaultSampleDuration(init);
    const type = `video/mp4; codecs="${codecString(init) ?? "avc1.42E01F"}"`;
    if (!MediaSource.isTypeSupported(type)) {
      this.events.onError(`this browser cannot play ${type}`);
      return;
    }
    this.buffer = this.mediaSource.addSourceBuffer(type);
    this.buffer.mode = "segments";
    this.buffer.addEventListener("updateend", () => this.pump());
    this.buffer.addEventListener("error", () => this.events.onError("the browser rejected live video data"));
    this.pending.unshift(init);
    this.pump();
  }

  private onFragment(fragment: Uint8Array): void {
    const span = fragmentSpan(fragment, this.timescale, this.defaultDuration);
    if (span) {
      if (this.firstStart === null) {
        this.firstStart = span.start;
        if (span.start > 0.5) void this.backfill(span.start);
      }
      if (!this.newest || span.start >= this.newest.start) this.newest = { ...span, arrived: performance.now() };
    }
    this.fragments++;
    this.pending.push(fragment);
    this.pump();
  }

  /** The socket began after the start: fetch the fragmented MP4 made so far for what came before. */
  private async backfill(before: number): Promise<void> {
    try {
      const res = await fetch(this.mp4Path, { credentials: "same-origin" });
      if (!res.ok) return;
      const bytes = new Uint8Array(await res.arrayBuffer());
      const parts: Uint8Array[] = [];
      let moofStart = -1;
      for (const box of topLevelBoxes(bytes)) {
        if (box.type === "moof") moofStart = box.start;
        if (box.type === "mdat" && moofStart >= 0 && box.end <= bytes.length) {
          const fragment = bytes.subarray(moofStart, box.end);
          const span = fragmentSpan(fragment, this.timescale, this.defaultDuration);
          if (span && span.start < before - 0.001) parts.push(fragment);
          moofStart = -1;
        }
      }
      if (parts.length) {
        this.pending.push(concat(parts));
        this.pump();
        this.events.onData();
      }
    } catch {
      // scrub-back starts at the first live frame then
    }
  }

  private pump(): void {
    const buffer = this.buffer;
    if (!buffer || buffer.updating || this.pending.length === 0 || this.mediaSource.readyState !== "open") return;
    const chunk = this.pending.length === 1 ? this.pending[0] : concat(this.pending);
    try {
      buffer.appendBuffer(chunk as Uint8Array<ArrayBuffer>);
      this.pending = [];
      this.events.onData();
    } catch (err) {
      if (err instanceof DOMException && err.name === "QuotaExceededError") {
        this.pending = [chunk];
        const keepFrom = Math.max(0, this.playhead() - KEEP_BEHIND_SECONDS);
        if (keepFrom > 1) buffer.remove(0, keepFrom);
        else this.events.onError("the live video does not fit in the browser's buffer");
        return;
      }
      this.events.onError(`cannot append live video: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    URL.revokeObjectURL(this.objectUrl);
  }
}
