// One live session on the wall: its live video (when it has a playing slot) or a refreshed thumbnail, with user,
// desktop, how long it has run and a LIVE badge. The whole tile links to the player.
import { recordingUrls, type RecordingItem } from "../lib/api.ts";
import { h, icon } from "../lib/dom.ts";
import { formatDuration } from "../lib/format.ts";
import { LiveVideo } from "./liveVideo.ts";

export class Tile {
  readonly element: HTMLLIElement;
  private readonly media: HTMLElement;
  private readonly thumb: HTMLImageElement;
  private readonly duration: HTMLElement;
  private readonly badge: HTMLElement;
  private video: LiveVideo | null = null;
  private startMs: number;
  /** The video could not play here (codec, permission): the tile keeps to thumbnails. */
  failed = false;
  ended = false;

  constructor(
    readonly item: RecordingItem,
    private readonly onEnded: (tile: Tile) => void,
  ) {
    const urls = recordingUrls(item.id);
    const desktop = item.desktop_name || item.desktop_addr || "desktop";
    this.startMs = Date.parse(item.start);
    this.thumb = h("img", { class: "tile-thumb", alt: "", decoding: "async" });
    this.thumb.addEventListener("error", () => this.thumb.classList.add("missing"));
    this.media = h("div", { class: "tile-media" }, this.thumb, h("span", { class: "tile-placeholder" }, icon("desktop")));
    this.badge = h("span", { class: "live-badge" }, icon("live"), "LIVE");
    this.duration = h("span", { class: "tile-duration" });
    const link = h("a", { class: "tile-link", href: urls.player },
      this.media,
      h("span", { class: "tile-caption" },
        this.badge,
        h("span", { class: "tile-desktop" }, desktop),
        h("span", { class: "tile-user" }, item.user, item.login ? h("span", { class: "muted" }, ` as ${item.login}`) : null),
        this.duration));
    this.element = h("li", { class: "tile", "data-id": item.id, "data-playing": "false" }, link);
    this.refreshThumbnail();
    this.tick();
  }

  get playing(): boolean {
    return this.video !== null;
  }

  /** Give the tile a video slot, or take it away (back to the thumbnail). */
  setPlaying(on: boolean): void {
    if (on === this.playing || (on && (this.failed || this.ended))) return;
    if (!on) {
      this.video?.close();
      this.video = null;
      this.element.dataset.playing = "false";
      this.element.classList.remove("has-video");
      this.refreshThumbnail();
      return;
    }
    const live = new LiveVideo(recordingUrls(this.item.id).live, {
      onPlaying: () => this.element.classList.add("has-video"),
      onEnd: () => this.markEnded(),
      onError: () => {
        this.failed = true;
        this.setPlaying(false);
      },
    });
    live.element.className = "tile-video";
    this.media.append(live.element);
    this.video = live;
    this.element.dataset.playing = "true";
  }

  /** New thumbnail (tiles without video, and tiles whose video has no picture yet). */
  refreshThumbnail(): void {
    if (this.element.classList.contains("has-video") && this.playing) return;
    // Load off-screen and swap when ready, so the picture never blinks out.
    const next = new Image();
    next.addEventListener("load", () => {
      this.thumb.src = next.src;
      this.thumb.classList.remove("missing");
    });
    next.src = `${recordingUrls(this.item.id).thumbnail}?v=${Date.now()}`;
  }

  /** Once a second: the running time. */
  tick(): void {
    const ms = this.ended ? Number(this.element.dataset.durationMs) : Date.now() - this.startMs;
    this.duration.textContent = formatDuration(ms);
    if (!this.ended) this.element.dataset.durationMs = String(ms);
  }

  update(item: RecordingItem): void {
    const start = Date.parse(item.start);
    if (Number.isFinite(start)) this.startMs = start;
  }

  private markEnded(): void {
    this.ended = true;
    this.element.classList.add("ended");
    this.badge.replaceChildren("ENDED");
    this.setPlaying(false);
    this.onEnded(this);
  }

  destroy(): void {
    this.video?.close();
    this.video = null;
    this.element.remove();
  }
}
