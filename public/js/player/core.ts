// The player's core, apart from its controls: one <video> showing either the finished MP4 ("vod") or a live session
// through MediaSource ("live"). It keeps the position the user sees (which, in a live stream's idle gaps, runs on
// while the element holds the last frame), seeks exactly, skips idle stretches, follows the live edge, and turns a
// live session into the finished MP4 without a reload when it ends.
import type { Stretch } from "../lib/mp4.ts";
import { LiveStream } from "./liveStream.ts";
import { atSpanEnd, nextSpanStart, placeAt, spanIndexAt, spansOf, type Span } from "./spans.ts";

export type PlayerMode = "vod" | "live";

/** How far behind the live edge "live" plays. */
export const LIVE_LATENCY = 1.5;
/** Within this of the edge the player counts as live. */
const FOLLOW_WINDOW = 4;
/** Following live, fall back this far behind and the player jumps forward again. */
const MAX_LIVE_LAG = 8;
/** With "skip idle" on, a still picture is shown this long (seconds of wall time) before jumping. */
const SKIP_HOLD_SECONDS = 0.5;

interface Hold {
  /** Position shown when the hold (re)started. */
  v0: number;
  /** performance.now() then. */
  w0: number;
}

export class PlayerCore extends EventTarget {
  mode: PlayerMode = "vod";
  following = false;
  skipIdle = false;
  idle: Stretch[] = [];
  frameTimes: Float64Array | null = null;
  error: string | null = null;
  private live: LiveStream | null = null;
  private hold: Hold | null = null;
  private wantPlaying = false;
  private rateValue = 1;
  private pendingStart: number | null = null;
  private liveStarted = false;
  private updateQueued = false;
  private readonly listeners: Array<[string, EventListener]> = [];
  private ticker: ReturnType<typeof setInterval>;

  constructor(
    public video: HTMLVideoElement,
    private knownDuration: number,
  ) {
    super();
    this.attach(video);
    this.ticker = setInterval(() => this.tick(), 100);
    const frame = () => {
      if (this.wantPlaying) this.update();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  // ---- opening -------------------------------------------------------------------------------------------

  openVod(url: string, startAt: number | null, autoplay: boolean): void {
    this.mode = "vod";
    this.pendingStart = startAt;
    this.wantPlaying = autoplay;
    this.video.src = url;
    this.video.addEventListener("loadedmetadata", () => this.applyStart(), { once: true });
  }

  openLive(wsPath: string, mp4Path: string, startAt: number | null): void {
    this.mode = "live";
    this.pendingStart = startAt;
    this.wantPlaying = true;
    this.following = startAt === null;
    this.live = new LiveStream(wsPath, mp4Path, {
      onData: () => this.onLiveData(),
      onEnd: () => this.dispatchEvent(new Event("liveend")),
      onError: (message) => this.fail(message),
    }, () => this.time);
    this.video.src = this.live.objectUrl;
  }

  private applyStart(): void {
    const start = this.pendingStart;
    this.pendingStart = null;
    if (start !== null && start > 0) this.seek(start);
    this.video.playbackRate = this.rateValue;
    if (this.wantPlaying) void this.video.play().catch(() => this.setPaused());
    this.update();
  }

  private onLiveData(): void {
    if (!this.liveStarted && this.live?.hasData && this.video.buffered.length > 0) {
      this.liveStarted = true;
      if (this.pendingStart !== null) this.seek(this.pendingStart);
      else this.goLive();
      this.pendingStart = null;
      this.video.playbackRate = this.rateValue;
      if (this.wantPlaying) void this.video.play().catch(() => this.setPaused());
    }
    this.update();
  }

  private fail(message: string): void {
    this.error = message;
    this.update();
  }

  // ---- state the controls read ---------------------------------------------------------------------------

  get paused(): boolean {
    return !this.wantPlaying;
  }

  get rate(): number {
    return this.rateValue;
  }

  get liveEnded(): boolean {
    return this.live?.ended ?? false;
  }

  /** The position being shown, in seconds from the start of the recording. */
  get time(): number {
    if (!this.hold) return this.video.currentTime;
    if (!this.wantPlaying) return this.hold.v0;
    const v = this.hold.v0 + ((performance.now() - this.hold.w0) / 1000) * this.rateValue;
    return Math.min(v, this.duration);
  }

  get duration(): number {
    if (this.mode === "live" && this.live) return Math.max(this.live.liveEdge(), this.video.currentTime);
    const d = this.video.duration;
    return Number.isFinite(d) && d > 0 ? d : this.knownDuration;
  }

  /** Loaded (vod) or received (live) time spans. */
  get buffered(): Span[] {
    return spansOf(this.video.buffered);
  }

  get waiting(): boolean {
    if (!this.wantPlaying || this.hold || this.error) return false;
    if (this.mode === "live") return !this.liveStarted;
    return this.video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA && !this.video.ended;
  }

  get atLiveEdge(): boolean {
    return this.mode === "live" && !this.liveEnded && this.duration - this.time < FOLLOW_WINDOW;
  }

  // ---- commands ------------------------------------------------------------------------------------------

  play(): void {
    if (this.mode === "vod" && this.video.ended) this.seek(0);
    this.wantPlaying = true;
    if (this.hold) this.hold = { v0: this.hold.v0, w0: performance.now() };
    void this.video.play().catch(() => this.setPaused());
    this.update();
  }

  pause(): void {
    if (this.hold) this.hold = { v0: this.time, w0: performance.now() };
    this.wantPlaying = false;
    this.following = false;
    this.video.pause();
    this.update();
  }

  toggle(): void {
    if (this.wantPlaying) this.pause();
    else this.play();
  }

  setRate(rate: number): void {
    if (this.hold) this.hold = { v0: this.time, w0: performance.now() };
    this.rateValue = rate;
    this.video.playbackRate = rate;
    this.update();
  }

  /** Show exactly time t (clamped to the recording). */
  seek(t: number): void {
    const target = Math.max(0, Math.min(t, this.duration || t));
    if (this.mode === "live") {
      const place = placeAt(this.buffered, target);
      this.video.currentTime = place.element;
      this.hold = place.held === null ? null : { v0: place.held, w0: performance.now() };
      this.following = this.atLiveEdge;
    } else {
      this.hold = null;
      this.video.currentTime = target;
    }
    this.update();
  }

  goLive(): void {
    if (this.mode !== "live" || !this.live) return;
    this.seek(Math.max(0, this.live.liveEdge() - LIVE_LATENCY));
    this.following = true;
    if (!this.wantPlaying) this.play();
  }

  /** To the previous or next frame (exact with the MP4's sample table; 0.1 s steps without it). */
  stepFrame(direction: 1 | -1): void {
    if (this.wantPlaying) this.pause();
    const t = this.time;
    const times = this.frameTimes;
    if (!times || times.length === 0) {
      this.seek(t + direction * 0.1);
      return;
    }
    let i = 0;
    while (i + 1 < times.length && times[i + 1] <= t + 0.0005) i++;
    const target = direction > 0 ? times[Math.min(i + 1, times.length - 1)] : t - times[i] > 0.02 ? times[i] : times[Math.max(0, i - 1)];
    this.seek(target);
  }

  /** The live session ended and its finished MP4 is ready: swap to it at the same place, without a blank frame. */
  async switchToVod(url: string): Promise<void> {
    const next = document.createElement("video");
    for (const attr of ["muted", "playsinline", "preload", "disablepictureinpicture", "class"]) {
      const value = this.video.getAttribute(attr);
      if (value !== null) next.setAttribute(attr, value);
    }
    next.muted = true;
    next.src = url;
    await once(next, "loadedmetadata");
    for (let attempt = 0; attempt < 3; attempt++) {
      const target = Math.min(this.time, next.duration || this.time);
      next.currentTime = target;
      await once(next, "seeked");
      if (Math.abs(this.time - target) < 0.25 || !this.wantPlaying) break;
    }
    next.playbackRate = this.rateValue;
    const old = this.video;
    this.detach(old);
    next.id = old.id;
    old.replaceWith(next);
    old.pause();
    old.removeAttribute("src");
    old.load();
    this.live?.close();
    this.live = null;
    this.video = next;
    this.mode = "vod";
    this.hold = null;
    this.following = false;
    this.knownDuration = next.duration;
    this.attach(next);
    if (this.wantPlaying) void next.play().catch(() => this.setPaused());
    this.dispatchEvent(new Event("modechange"));
    this.update();
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private setPaused(): void {
    this.wantPlaying = false;
    this.update();
  }

  private attach(video: HTMLVideoElement): void {
    const onChange = () => this.update();
    const onEnded = () => {
      if (this.mode === "vod") {
        this.wantPlaying = false;
        this.update();
      }
    };
    const onError = () => {
      if (this.mode === "vod" && video.error) this.fail(`the video cannot be played (${video.error.message || video.error.code})`);
    };
    const events: Array<[string, EventListener]> = [
      ["timeupdate", onChange], ["seeked", onChange], ["seeking", onChange], ["waiting", onChange], ["playing", onChange],
      ["progress", onChange], ["durationchange", onChange], ["loadeddata", onChange], ["ended", onEnded], ["error", onError],
    ];
    for (const [name, fn] of events) video.addEventListener(name, fn);
    this.listeners.push(...events);
  }

  private detach(video: HTMLVideoElement): void {
    for (const [name, fn] of this.listeners.splice(0)) video.removeEventListener(name, fn);
  }

  /** Coalesce state changes into one "update" per animation frame. */
  private update(): void {
    if (this.updateQueued) return;
    this.updateQueued = true;
    requestAnimationFrame(() => {
      this.updateQueued = false;
      this.dispatchEvent(new Event("update"));
    });
  }

  private tick(): void {
    if (this.mode === "live") this.liveTick();
    else this.vodTick();
  }

  private vodTick(): void {
    if (!this.skipIdle || !this.wantPlaying) return;
    const t = this.video.currentTime;
    const stretch = this.idle.find((s) => t >= s.from && t < s.to);
    if (stretch) this.seek(stretch.to);
  }

  private liveTick(): void {
    if (!this.live || !this.liveStarted) return;
    const spans = this.buffered;
    if (spans.length === 0) return;
    const now = performance.now();
    if (this.hold) {
      const next = nextSpanStart(spans, this.video.currentTime);
      const shown = this.time;
      const heldFor = (now - this.hold.w0) / 1000;
      if (next !== null && this.wantPlaying && (shown >= next - 0.01 || (this.skipIdle && heldFor >= SKIP_HOLD_SECONDS))) {
        this.hold = null;
        this.video.currentTime = next;
        if (this.video.paused) void this.video.play().catch(() => undefined);
      }
    } else if (this.wantPlaying) {
      const t = this.video.currentTime;
      if (spanIndexAt(spans, t) < 0 && nextSpanStart(spans, t) !== null) {
        this.seek(t);
      } else if (atSpanEnd(spans, t)) {
        // The element stalls here (a gap, or the newest frame): keep the clock running over the still picture.
        this.hold = { v0: t, w0: now };
      }
    }
    if (this.following && this.wantPlaying && this.live.liveEdge() - this.time > MAX_LIVE_LAG) this.goLive();
    if (!this.following && this.wantPlaying && this.atLiveEdge) this.following = true;
    this.update();
  }

  destroy(): void {
    clearInterval(this.ticker);
    this.live?.close();
  }
}

function once(target: EventTarget, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = () => reject(new Error(`video failed while waiting for ${name}`));
    target.addEventListener(name, () => {
      target.removeEventListener("error", onError);
      resolve();
    }, { once: true });
    target.addEventListener("error", onError, { once: true });
  });
}
