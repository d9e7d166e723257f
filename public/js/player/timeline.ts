// The seek bar: played and loaded portions, idle stretches, event ticks, a hover time label, click and drag to seek.
import type { Marker } from "../lib/api.ts";
import type { PreviewTile } from "./previews.ts";
import { byId, h } from "../lib/dom.ts";
import { formatClock, formatClockPrecise, spokenClock } from "../lib/format.ts";
import type { Stretch } from "../lib/mp4.ts";
import { markerLabel } from "../lib/markers.ts";
import type { Span } from "./core.ts";

/** Pixels within which the hover label names a nearby event. */
const MARKER_SNAP_PX = 6;

/** "alert: disk full", without repeating the kind when the detail already names it. */
function describeMarker(m: Marker): string {
  const kind = markerLabel(m.kind).one;
  if (!m.detail) return kind;
  return m.detail.toLowerCase().startsWith(kind.toLowerCase()) ? m.detail : `${kind}: ${m.detail}`;
}

export class Timeline {
  private readonly root = byId("timeline");
  private readonly played = byId("timeline-played");
  private readonly thumb = byId("timeline-thumb");
  private readonly bufferedLayer = byId("timeline-buffered");
  private readonly idleLayer = byId("timeline-idle");
  private readonly markerLayer = byId("timeline-markers");
  private readonly hover = byId("timeline-hover");
  private readonly hoverTime = byId("timeline-hover-time");
  private readonly hoverLabel = byId("timeline-hover-label");
  private readonly hoverPicture = byId("timeline-preview");
  private previewAt: ((t: number) => PreviewTile | null) | null = null;
  private duration = 0;
  private markers: Marker[] = [];
  private dragging = false;
  private markerKey = "";
  private spansKey = "";
  private idleKey = "";

  constructor(private readonly onSeek: (t: number) => void) {
    this.root.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || (event.target instanceof Element && event.target.closest(".tick"))) return;
      this.dragging = true;
      this.root.setPointerCapture(event.pointerId);
      this.root.classList.add("dragging");
      this.onSeek(this.timeAt(event.clientX));
    });
    this.root.addEventListener("pointermove", (event) => {
      this.showHover(event.clientX);
      if (this.dragging) this.onSeek(this.timeAt(event.clientX));
    });
    const stop = (event: PointerEvent) => {
      if (!this.dragging) return;
      this.dragging = false;
      this.root.classList.remove("dragging");
      this.root.releasePointerCapture(event.pointerId);
    };
    this.root.addEventListener("pointerup", stop);
    this.root.addEventListener("pointercancel", stop);
    this.root.addEventListener("pointerleave", () => {
      if (!this.dragging) this.hover.hidden = true;
    });
  }

  /** Where hover pictures come from (the recording's seek-bar previews). */
  setPreviews(previewAt: (t: number) => PreviewTile | null): void {
    this.previewAt = previewAt;
  }

  private showPicture(t: number): void {
    const tile = this.previewAt?.(t) ?? null;
    const el = this.hoverPicture;
    el.hidden = tile === null;
    if (!tile) return;
    el.style.width = `${tile.width}px`;
    el.style.height = `${tile.height}px`;
    el.style.backgroundImage = `url("${tile.url}")`;
    el.style.backgroundPosition = `-${tile.x}px -${tile.y}px`;
    el.dataset.tileMs = String(tile.tMs);
  }

  private timeAt(clientX: number): number {
    const rect = this.root.getBoundingClientRect();
    const x = Math.min(Math.max(clientX - rect.left, 0), rect.width);
    return rect.width > 0 ? (x / rect.width) * this.duration : 0;
  }

  private pct(t: number): string {
    return this.duration > 0 ? `${Math.min(100, Math.max(0, (t / this.duration) * 100))}%` : "0%";
  }

  private showHover(clientX: number): void {
    const rect = this.root.getBoundingClientRect();
    const t = this.timeAt(clientX);
    this.hover.hidden = false;
    this.hoverTime.textContent = formatClockPrecise(t);
    const pxPerSecond = this.duration > 0 ? rect.width / this.duration : 0;
    const near = this.markers.find((m) => Math.abs(m.t_ms / 1000 - t) * pxPerSecond <= MARKER_SNAP_PX);
    this.hoverLabel.textContent = near ? describeMarker(near) : "";
    this.showPicture(t);
    const x = Math.min(Math.max(clientX - rect.left, 0), rect.width);
    this.hover.style.left = `${x}px`;
  }

  setMarkers(markers: Marker[]): void {
    const key = markers.map((m) => `${m.t_ms}:${m.kind}`).join(",") + `@${Math.round(this.duration)}`;
    this.markers = markers;
    if (key === this.markerKey) return;
    this.markerKey = key;
    this.markerLayer.replaceChildren(
      ...markers.map((m) => {
        const label = `${describeMarker(m)} at ${formatClock(m.t_ms / 1000)}`;
        const tick = h("button", { type: "button", class: `tick tick-${m.kind}`, tabindex: -1, title: label, "aria-label": label, "data-t": m.t_ms });
        tick.style.left = this.pct(m.t_ms / 1000);
        tick.addEventListener("click", () => this.onSeek(m.t_ms / 1000));
        return tick;
      }),
    );
  }

  setIdle(stretches: Stretch[]): void {
    const key = stretches.map((s) => `${s.from.toFixed(2)}-${s.to.toFixed(2)}`).join(",") + `@${this.duration.toFixed(1)}`;
    if (key === this.idleKey) return;
    this.idleKey = key;
    this.idleLayer.replaceChildren(...stretches.map((s) => this.segment("idle-stretch", s.from, s.to, "Idle: nothing changes on screen")));
  }

  private segment(cls: string, from: number, to: number, title?: string): HTMLElement {
    const el = h("div", { class: cls, title });
    el.style.left = this.pct(from);
    el.style.width = this.duration > 0 ? `${Math.max(0, ((to - from) / this.duration) * 100)}%` : "0";
    return el;
  }

  render(time: number, duration: number, buffered: Span[]): void {
    const durationChanged = Math.abs(duration - this.duration) > 0.05;
    this.duration = duration;
    if (durationChanged) {
      // Ticks and stretches are placed in percent of the duration: re-place them.
      this.markerKey = "";
      this.setMarkers(this.markers);
      this.spansKey = "";
    }
    this.played.style.width = this.pct(time);
    this.thumb.style.left = this.pct(time);
    const spansKey = buffered.map((s) => `${s.start.toFixed(1)}-${s.end.toFixed(1)}`).join(",");
    if (spansKey !== this.spansKey) {
      this.spansKey = spansKey;
      this.bufferedLayer.replaceChildren(...buffered.map((s) => this.segment("buffered-span", s.start, s.end)));
    }
    this.root.setAttribute("aria-valuemax", String(Math.round(duration)));
    this.root.setAttribute("aria-valuenow", String(Math.round(time)));
    this.root.setAttribute("aria-valuetext", `${spokenClock(time)} of ${spokenClock(duration)}`);
  }
}
