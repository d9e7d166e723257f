// The player's core, apart from its controls. Three ways of showing a recording, each in its own <video>:
// - "vod": the finished MP4 (seeks exactly, range requests);
// - "live": a live session through MediaSource, a little behind real time (see liveStream.ts);
// - "dvr": a live session scrubbed back: the MP4 written so far, which also seeks exactly.
// Switching prepares the next element off-screen at the right time and swaps when its picture is ready, so the
// screen never goes blank; a live session that ends continues, at the same place, as the finished MP4.
import type { Stretch } from "../lib/mp4.ts";
import { LiveStream } from "./liveStream.ts";
import type { PlayerMedia, Span } from "./media.ts";
import { CoalescedUpdates } from "./updates.ts";
import { errorMessage } from "../../../src/errorMessage.ts";

export type { Span };

export type PlayerMode = "vod" | "live" | "dvr";

/** How far behind the live edge "live" plays. */
export const LIVE_LATENCY = 1.5;
/** Within this of the edge the player counts as live; seeking this close goes live. */
export const FOLLOW_WINDOW = 4;
/** Following live but this far behind (a slow machine, a stall): join again at the edge. */
const MAX_LIVE_LAG = 6;
/** ...but not more often than this (ms). */
const REJOIN_INTERVAL_MS = 10_000;
/** The wall clock may be a little ahead of the recording's clock (time 0 = first message, not session start). */
const WALL_CLOCK_SLACK = 0.3;

export interface LiveOptions {
  wsPath: string;
  fileUrl: string;
  startAt: number | null;
  /** The session's start (ms since epoch): the live edge is about now minus this. */
  sessionStartMs: number | null;
}

export class PlayerCore extends CoalescedUpdates implements PlayerMedia {
  mode: PlayerMode = "vod";
  skipIdle = false;
  idle: Stretch[] = [];
  frameTimes: Float64Array | null = null;
  error: string | null = null;
  /** The live session has ended (its final MP4 may not be ready yet). */
  sessionEnded = false;
  private endSeconds: number | null = null;
  private live: LiveStream | null = null;
  private liveOptions: LiveOptions | null = null;
  /** Newest known point of the live timeline and when it was known. */
  private edgeAnchor = { t: 0, at: performance.now() };
  private dvrCovers = 0;
  /** Playing at the live edge (not paused or scrubbed back by the user). */
  private following = false;
  private lastJoin = 0;
  private wantPlaying = false;
  private rateValue = 1;
  private switchId = 0;
  private switching = false;
  private listeners: Array<[string, EventListener]> = [];
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(
    private readonly stage: HTMLElement,
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

  // ---- opening ------------------------------------------------------------------------------------------

  openVod(url: string, startAt: number | null, autoplay: boolean): void {
    this.mode = "vod";
    this.wantPlaying = autoplay;
    this.video.src = url;
    this.video.addEventListener("loadedmetadata", () => {
      if (startAt !== null && startAt > 0) this.video.currentTime = Math.min(startAt, this.video.duration || startAt);
      this.video.playbackRate = this.rateValue;
      if (this.wantPlaying) this.playElement(this.video);
      this.update();
    }, { once: true });
  }

  openLive(options: LiveOptions): void {
    this.liveOptions = options;
    this.wantPlaying = true;
    this.mode = "live";
    if (options.sessionStartMs !== null) this.noteEdge(this.wallClockEdge());
    if (options.startAt === null) this.joinLive();
    else void this.showFileAt(options.startAt);
  }

  // ---- state the controls read --------------------------------------------------------------------------

  get paused(): boolean {
    return !this.wantPlaying;
  }

  get rate(): number {
    return this.rateValue;
  }

  get isLiveSession(): boolean {
    return this.liveOptions !== null && this.mode !== "vod";
  }

  /** The position shown, seconds from the start of the recording. */
  get time(): number {
    const t = this.video.currentTime;
    return this.mode === "live" ? Math.min(t, this.duration) : t;
  }

  get duration(): number {
    if (this.mode === "vod") {
      const d = this.video.duration;
      return Number.isFinite(d) && d > 0 ? d : this.knownDuration;
    }
    return this.liveEdge();
  }

  /** The recording's "now" while live: the newest frame's time plus the time since, or the wall clock. */
  liveEdge(): number {
    if (this.sessionEnded && this.endSeconds !== null) return this.endSeconds;
    const newest = this.live?.newest;
    if (newest) this.noteEdge(newest.pts, newest.arrived);
    let edge = this.edgeAnchor.t + (this.sessionEnded ? 0 : (performance.now() - this.edgeAnchor.at) / 1000);
    if (!this.sessionEnded) edge = Math.max(edge, this.wallClockEdge());
    return Math.max(edge, this.dvrCovers);
  }

  private wallClockEdge(): number {
    const start = this.liveOptions?.sessionStartMs;
    if (start === null || start === undefined) return 0;
    const edge = (Date.now() - start) / 1000 - WALL_CLOCK_SLACK;
    // Only trust it when it agrees roughly with what the stream says (clocks can be off).
    return edge > this.edgeAnchor.t && edge - this.edgeAnchor.t < 3600 ? edge : 0;
  }

  private noteEdge(t: number, at = performance.now()): void {
    const current = this.edgeAnchor.t + (performance.now() - this.edgeAnchor.at) / 1000;
    if (t + (performance.now() - at) / 1000 >= current || t > this.edgeAnchor.t) this.edgeAnchor = { t, at };
  }

  /** Loaded time spans of the element shown (clipped to what exists). */
  get buffered(): Span[] {
    const out: Span[] = [];
    const limit = this.duration;
    if (this.mode === "live") {
      const first = this.live?.firstPts;
      if (first !== null && first !== undefined) out.push({ start: first, end: limit });
      return out;
    }
    const b = this.video.buffered;
    for (let i = 0; i < b.length; i++) out.push({ start: b.start(i), end: Math.min(b.end(i), limit) });
    return out;
  }

  get waiting(): boolean {
    if (this.error) return false;
    if (this.switching) return true;
    if (!this.wantPlaying) return false;
    if (this.mode === "live") return !this.live?.ready;
    return this.video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA && !this.video.ended;
  }

  get atLiveEdge(): boolean {
    return this.mode === "live" && !this.sessionEnded && this.duration - this.time < FOLLOW_WINDOW;
  }

  // ---- commands -----------------------------------------------------------------------------------------

  play(): void {
    if (this.mode === "vod" && this.video.ended) this.video.currentTime = 0;
    this.wantPlaying = true;
    this.playElement(this.video);
    this.update();
  }

  pause(): void {
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
    this.rateValue = rate;
    this.video.playbackRate = rate;
    this.update();
  }

  /** Show exactly time t (clamped to the recording). */
  seek(t: number): void {
    const target = Math.max(0, Math.min(t, this.duration || t));
    this.following = false;
    if (this.mode === "vod") {
      this.video.currentTime = target;
    } else if (!this.sessionEnded && target >= this.liveEdge() - FOLLOW_WINDOW) {
      this.goLive();
    } else if (this.mode === "dvr" && target <= this.dvrCovers - 0.05) {
      this.video.currentTime = target;
    } else {
      void this.showFileAt(target);
    }
    this.update();
  }

  /** Back to the live edge (a fresh live stream: the old one cannot seek forward reliably). */
  goLive(): void {
    if (!this.liveOptions || this.sessionEnded) return;
    if (this.mode === "live" && this.live?.ready && this.atLiveEdge) {
      if (!this.wantPlaying) this.play();
      return;
    }
    this.wantPlaying = true;
    this.joinLive();
  }

  /** To the previous or next frame (exact with the MP4's sample table; 0.1 s steps without it). */
  stepFrame(direction: 1 | -1): void {
    if (this.wantPlaying) this.pause();
    const t = this.time;
    const times = this.mode === "vod" ? this.frameTimes : null;
    if (!times || times.length === 0) {
      this.seek(t + direction * 0.1);
      return;
    }
    let i = 0;
    while (i + 1 < times.length && times[i + 1] <= t + 0.0005) i++;
    const target = direction > 0 ? times[Math.min(i + 1, times.length - 1)] : t - times[i] > 0.02 ? times[i] : times[Math.max(0, i - 1)];
    this.seek(target);
  }

  /** The live session ended at endSeconds (if known): stop there until the finished MP4 is ready. */
  markSessionEnded(endSeconds: number | null): void {
    this.sessionEnded = true;
    this.endSeconds = endSeconds ?? this.endSeconds;
    this.update();
  }

  /** The finished MP4 is ready: continue with it at the same place. */
  async switchToFinal(url: string, durationSeconds: number): Promise<void> {
    this.sessionEnded = true;
    this.endSeconds = durationSeconds;
    this.knownDuration = durationSeconds;
    const id = ++this.switchId;
    const element = await this.prepareFile(url, this.time);
    if (id !== this.switchId || !element) return;
    this.show(element, "vod");
    this.liveOptions = null;
    this.dispatchEvent(new Event("modechange"));
  }

  // ---- switching ----------------------------------------------------------------------------------------

  private joinLive(): void {
    const options = this.liveOptions;
    if (!options) return;
    this.following = true;
    this.lastJoin = performance.now();
    const id = ++this.switchId;
    this.switching = true;
    const element = this.newElement();
    const stream = new LiveStream(options.wsPath, {
      onReady: () => {
        if (id !== this.switchId) return;
        const newest = stream.newest;
        if (!newest) return;
        this.noteEdge(newest.pts, newest.arrived);
        // Only the newest frame covers times after it, so any target at or after it shows the right picture.
        element.currentTime = Math.max(newest.pts, this.liveEdge() - LIVE_LATENCY);
        element.addEventListener("seeked", () => {
          if (id !== this.switchId) return;
          const previous = this.live;
          this.live = stream;
          this.show(element, "live");
          if (previous && previous !== stream) previous.close();
        }, { once: true });
      },
      onData: () => this.update(),
      onEnd: (endSeconds) => {
        this.markSessionEnded(endSeconds);
        this.dispatchEvent(new Event("liveend"));
      },
      onError: (message) => {
        if (id !== this.switchId) return;
        this.switching = false;
        this.fail(message);
      },
    });
    element.src = stream.objectUrl;
  }

  /** Show the MP4 written so far (scrub-back during a live session) at time t. */
  private async showFileAt(t: number): Promise<void> {
    const options = this.liveOptions;
    if (!options) return;
    const id = ++this.switchId;
    this.switching = true;
    this.update();
    // A URL of its own each time: the browser's media cache would otherwise serve the file as it was when first
    // opened (shorter), and the finished MP4 (the plain URL) must never be confused with these snapshots.
    const element = await this.prepareFile(`${options.fileUrl}?snapshot=${Date.now()}`, t);
    if (id !== this.switchId || !element) return;
    this.dvrCovers = Number.isFinite(element.duration) ? element.duration : t;
    this.noteEdge(this.dvrCovers);
    if (this.live) {
      this.live.close();
      this.live = null;
    }
    this.show(element, "dvr");
  }

  private newElement(): HTMLVideoElement {
    const element = document.createElement("video");
    element.muted = true;
    element.playsInline = true;
    element.preload = "auto";
    element.disablePictureInPicture = true;
    element.hidden = true;
    this.stage.prepend(element);
    return element;
  }

  private async prepareFile(url: string, t: number): Promise<HTMLVideoElement | null> {
    const element = this.newElement();
    try {
      element.src = url;
      await once(element, "loadedmetadata");
      const duration = Number.isFinite(element.duration) ? element.duration : t;
      element.currentTime = Math.min(t, duration);
      await once(element, "seeked");
      return element;
    } catch (err) {
      element.remove();
      this.switching = false;
      this.fail(errorMessage(err));
      return null;
    }
  }

  private show(element: HTMLVideoElement, mode: PlayerMode): void {
    const old = this.video;
    if (old !== element) {
      this.detach(old);
      old.pause();
      element.id = old.id;
      old.removeAttribute("id");
      element.className = old.className;
      element.hidden = false;
      old.remove();
      if (this.live && old.src === this.live.objectUrl && mode !== "live") {
        this.live.close();
        this.live = null;
      }
      old.removeAttribute("src");
      old.load();
    }
    this.video = element;
    this.mode = mode;
    this.switching = false;
    this.error = null;
    element.playbackRate = this.rateValue;
    this.attach(element);
    // play() on an element at its end starts it over: a live session followed to its very end stays there.
    if (this.wantPlaying && mode === "vod" && element.ended) this.wantPlaying = false;
    if (this.wantPlaying) this.playElement(element);
    this.dispatchEvent(new Event("modechange"));
    this.update();
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private playElement(element: HTMLVideoElement): void {
    void element.play().catch(() => {
      if (element === this.video) {
        this.wantPlaying = false;
        this.update();
      }
    });
  }

  private fail(message: string): void {
    this.error = message;
    this.update();
  }

  private attach(video: HTMLVideoElement): void {
    const onChange = () => this.update();
    const onEnded = () => {
      if (this.mode === "vod") this.wantPlaying = false;
      this.update();
    };
    const onError = () => {
      if (video.error && this.mode !== "live") this.fail(`the video cannot be played (${video.error.message || video.error.code})`);
    };
    this.listeners = [
      ["timeupdate", onChange], ["seeked", onChange], ["seeking", onChange], ["waiting", onChange], ["playing", onChange],
      ["progress", onChange], ["durationchange", onChange], ["loadeddata", onChange], ["ended", onEnded], ["error", onError],
    ];
    for (const [name, fn] of this.listeners) video.addEventListener(name, fn);
  }

  private detach(video: HTMLVideoElement): void {
    for (const [name, fn] of this.listeners) video.removeEventListener(name, fn);
    this.listeners = [];
  }

  private tick(): void {
    const t = this.video.currentTime;
    if (this.skipIdle && this.wantPlaying && this.mode === "vod") {
      const stretch = this.idle.find((s) => t >= s.from && t < s.to);
      if (stretch) this.video.currentTime = stretch.to;
    }
    if (this.mode === "live" && this.live?.ready) {
      if (this.sessionEnded && this.endSeconds !== null && t >= this.endSeconds && !this.video.paused) {
        this.video.pause();
      } else if (this.rateValue > 1 && t > this.liveEdge() - 0.2) {
        // Faster than real time has caught up with real time.
        this.setRate(1);
      } else if (this.following && this.wantPlaying && !this.sessionEnded && !this.switching &&
        this.liveEdge() - t > MAX_LIVE_LAG && performance.now() - this.lastJoin > REJOIN_INTERVAL_MS) {
        this.joinLive();
      }
      this.update();
    }
    if (this.mode === "dvr" && this.wantPlaying && !this.switching && t >= this.dvrCovers - 0.3) {
      // Played to the end of what the file had when it was opened: continue with live or a newer file.
      if (this.sessionEnded) this.pause();
      else if (this.liveEdge() - t < FOLLOW_WINDOW * 2) this.joinLive();
      else void this.showFileAt(t);
    }
  }

  destroy(): void {
    clearInterval(this.ticker);
    this.live?.close();
  }
}

function once(target: EventTarget, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = () => reject(new Error(`the video failed to load`));
    target.addEventListener(name, () => {
      target.removeEventListener("error", onError);
      resolve();
    }, { once: true });
    target.addEventListener("error", onError, { once: true });
  });
}
