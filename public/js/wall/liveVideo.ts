// A live session playing in one <video>, always near its newest frame: a LiveStream, one seek to the newest
// frame once the first batch is in, then plain forward playback (the stream's buffers cannot be seeked back).
import { LiveStream } from "../lib/liveStream.ts";

/** Behind the newest frame by more than this (a stalled tab, a slow machine): jump forward to it. */
const MAX_LAG_S = 4;

export interface LiveVideoEvents {
  /** The first picture is showing. */
  onPlaying(): void;
  onEnd(): void;
  onError(message: string): void;
}

export class LiveVideo {
  readonly element: HTMLVideoElement;
  private readonly stream: LiveStream;

  constructor(wsPath: string, events: LiveVideoEvents) {
    const video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    video.disablePictureInPicture = true;
    video.setAttribute("aria-hidden", "true");
    this.element = video;
    this.stream = new LiveStream(wsPath, {
      onReady: () => {
        const newest = this.stream.newest;
        if (!newest) return;
        video.currentTime = newest.pts;
        video.addEventListener("seeked", () => {
          void video.play().catch(() => undefined);
          events.onPlaying();
        }, { once: true });
      },
      onData: () => this.catchUp(),
      onEnd: () => events.onEnd(),
      onError: (message) => events.onError(message),
    });
    video.src = this.stream.objectUrl;
  }

  private catchUp(): void {
    const newest = this.stream.newest;
    if (!this.stream.ready || !newest) return;
    const video = this.element;
    if (newest.pts - video.currentTime > MAX_LAG_S) video.currentTime = newest.pts;
    if (video.paused) void video.play().catch(() => undefined);
  }

  close(): void {
    this.stream.close();
    this.element.removeAttribute("src");
    this.element.load();
    this.element.remove();
  }
}
