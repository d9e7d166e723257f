// One viewing of a live session through MediaSource. The /live WebSocket sends the init segment, the frames from
// the last keyframe on (exact durations), then each new frame as one fragment whose duration is a long guess (so
// MSE never sees idle time as a discontinuity and keeps showing the newest picture), then {"type":"end"}.
// Such a buffer plays forward correctly but cannot be seeked back into (the guessed durations overlap), so the
// player seeks only once, right after the first batch, and uses a fresh LiveStream to return to live.
import { firstBoxType, fragmentSpan, readInit, type InitInfo } from "./mp4.ts";
import { concatBytes } from "../../../src/bytes.ts";
import { errorMessage } from "../../../src/errorMessage.ts";

export interface LiveStreamEvents {
  /** The first batch is in the buffer: seek (once) and play. */
  onReady(): void;
  onData(): void;
  onEnd(endSeconds: number | null): void;
  onError(message: string): void;
}

/** The first batch is over when no message came for this long after its last fragment... */
const FIRST_BATCH_QUIET_MS = 120;
/**
 * ...or at the latest this long after its first fragment: the backlog arrives in one burst, but a busy desktop
 * sends a new frame every 100 ms (10 fps), so a quiet gap may never come and the video would never start.
 */
const FIRST_BATCH_MAX_MS = 500;
const RECONNECT_MS = 2000;
const MAX_FAILED_CONNECTS = 3;


function numberField(message: object, ...names: string[]): number | null {
  for (const name of names) {
    const value = (message as Record<string, unknown>)[name];
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return null;
}

export class LiveStream {
  readonly mediaSource = new MediaSource();
  readonly objectUrl = URL.createObjectURL(this.mediaSource);
  private socket: WebSocket | null = null;
  private buffer: SourceBuffer | null = null;
  private pending: Uint8Array[] = [];
  private init: Uint8Array | null = null;
  /** The video track as the init segment describes it (null: unreadable, so fragments get no time span). */
  private track: InitInfo | null = null;
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private batchDeadline: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private failedConnects = 0;
  /** Time of the first frame received (the last keyframe when joining). */
  firstPts: number | null = null;
  /** The newest frame's time and when it arrived (performance.now()). */
  newest: { pts: number; arrived: number } | null = null;
  ready = false;
  ended = false;
  endSeconds: number | null = null;

  constructor(
    private readonly wsPath: string,
    private readonly events: LiveStreamEvents,
  ) {
    this.mediaSource.addEventListener("sourceopen", () => this.connect(), { once: true });
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
        this.events.onError(event.reason || "you may not watch this session");
        return;
      }
      if (!received && ++this.failedConnects >= MAX_FAILED_CONNECTS) {
        this.events.onError("cannot connect to the live stream");
        return;
      }
      // A reconnect sends init + the frames since the last keyframe again; appending them again is harmless.
      setTimeout(() => this.connect(), RECONNECT_MS);
    });
  }

  private onMessage(data: unknown): void {
    if (typeof data === "string") {
      this.onText(data);
      return;
    }
    if (!(data instanceof ArrayBuffer)) return;
    const bytes = new Uint8Array(data);
    const first = firstBoxType(bytes);
    if (first === "ftyp" || first === "moov") this.onInit(bytes);
    else this.onFragment(bytes);
  }

  private onText(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null || !("type" in message)) return;
    if (message.type === "end") {
      this.ended = true;
      const ms = numberField(message, "end_ms", "endMs", "duration_ms");
      this.endSeconds = ms === null ? null : ms / 1000;
      this.events.onEnd(this.endSeconds);
    } else if (message.type === "error") {
      const detail = (message as Record<string, unknown>).error;
      this.events.onError(typeof detail === "string" ? detail : "live stream error");
    }
  }

  private onInit(init: Uint8Array): void {
    if (this.init) return;
    this.init = init;
    this.track = readInit(init);
    const type = `video/mp4; codecs="${this.track?.codec ?? "avc1.42E01F"}"`;
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
    const span = this.track ? fragmentSpan(fragment, this.track) : null;
    if (span) {
      this.firstPts ??= span.start;
      if (!this.newest || span.start >= this.newest.pts) this.newest = { pts: span.start, arrived: performance.now() };
    }
    this.pending.push(fragment);
    this.pump();
    if (!this.ready) {
      clearTimeout(this.quietTimer);
      this.quietTimer = setTimeout(() => this.markReady(), FIRST_BATCH_QUIET_MS);
      this.batchDeadline ??= setTimeout(() => this.markReady(), FIRST_BATCH_MAX_MS);
    }
  }

  private markReady(): void {
    if (this.ready) return;
    clearTimeout(this.quietTimer);
    if (this.buffer?.updating || this.pending.length > 0) {
      this.quietTimer = setTimeout(() => this.markReady(), 20);
      return;
    }
    if (!this.buffer || this.buffer.buffered.length === 0) return;
    this.ready = true;
    this.events.onReady();
  }

  private pump(): void {
    const buffer = this.buffer;
    if (!buffer || buffer.updating || this.pending.length === 0 || this.mediaSource.readyState !== "open") return;
    const chunk = concatBytes(this.pending);
    this.pending = [];
    try {
      buffer.appendBuffer(chunk as Uint8Array<ArrayBuffer>);
      this.events.onData();
    } catch (err) {
      if (err instanceof DOMException && err.name === "QuotaExceededError") {
        // Full: forget what lies well behind the playhead and try again (the file keeps everything).
        this.pending.unshift(chunk);
        const video = document.querySelector<HTMLVideoElement>(`video[src="${this.objectUrl}"]`);
        const keepFrom = (video?.currentTime ?? 0) - 30;
        if (keepFrom > (this.firstPts ?? 0)) buffer.remove(0, keepFrom);
        return;
      }
      this.events.onError(`cannot append live video: ${errorMessage(err)}`);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.quietTimer);
    clearTimeout(this.batchDeadline);
    this.socket?.close();
    URL.revokeObjectURL(this.objectUrl);
  }
}
