// In/out points on a desktop recording and a "Download this part" link to the clip route
// (GET /v1/recordings/:id/clip.mp4?from=&to=, whole ms from the recording's start = the video's time).
import { formatClock } from "../lib/format.ts";

export class ClipPoints {
  private inMs: number | null = null;
  private outMs: number | null = null;

  constructor(
    private readonly recordingId: string,
    private readonly video: HTMLVideoElement,
    private readonly elements: { setIn: HTMLButtonElement; setOut: HTMLButtonElement; link: HTMLAnchorElement; label: HTMLElement },
  ) {
    elements.setIn.addEventListener("click", () => this.mark("in"));
    elements.setOut.addEventListener("click", () => this.mark("out"));
    elements.link.addEventListener("click", (event) => {
      if (elements.link.getAttribute("aria-disabled") === "true") event.preventDefault();
    });
    this.render();
  }

  /** Sets the in or out point at the player's current time. */
  mark(which: "in" | "out"): void {
    const now = Math.round(this.video.currentTime * 1000);
    if (which === "in") this.inMs = now;
    else this.outMs = now;
    this.render();
  }

  private render(): void {
    const { link, label } = this.elements;
    const valid = this.inMs !== null && this.outMs !== null && this.outMs > this.inMs;
    const show = (ms: number | null) => (ms === null ? "–" : formatClock(ms / 1000));
    label.textContent = `${show(this.inMs)} → ${show(this.outMs)}`;
    link.setAttribute("aria-disabled", String(!valid));
    link.classList.toggle("disabled", !valid);
    link.href = valid ? `/v1/recordings/${encodeURIComponent(this.recordingId)}/clip.mp4?from=${this.inMs}&to=${this.outMs}` : "#";
    link.title = valid ? "Download the part between the in and out points as MP4" : "Set an in point, then a later out point";
  }
}
