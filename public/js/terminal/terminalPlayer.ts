// An SSH recording played in a terminal, behind the same interface as the desktop video (player/media.ts):
// a clock in recording time (rate, pause, seek, skip idle) drives which steps the TerminalScreen shows.
import type { Stretch } from "../lib/mp4.ts";
import type { PlayerMedia, Span } from "../player/media.ts";
import type { TerminalRecording } from "./data.ts";
import { TerminalScreen } from "./screen.ts";
import { idleStretches, outputTimes, stepsDueAt } from "./timing.ts";
import { CoalescedUpdates } from "../player/updates.ts";

export class TerminalPlayer extends CoalescedUpdates implements PlayerMedia {
  readonly mode = "terminal";
  readonly isLiveSession = false;
  readonly sessionEnded = true;
  readonly atLiveEdge = false;
  readonly error: string | null = null;
  skipIdle = false;
  idle: Stretch[];
  frameTimes: Float64Array | null;
  readonly screen: TerminalScreen;
  /** Recording time `t` was shown at `at` (performance.now()); while playing, time runs on from there. */
  private anchor = { t: 0, at: performance.now() };
  private playing = false;
  private rateValue = 1;

  constructor(
    container: HTMLElement,
    private readonly recording: TerminalRecording,
  ) {
    super();
    this.screen = new TerminalScreen(container, recording, () => this.update());
    this.idle = idleStretches(recording.steps, this.duration);
    this.frameTimes = outputTimes(recording.steps);
    const frame = (): void => {
      if (this.playing) this.advance();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  get duration(): number {
    return this.recording.durationMs / 1000;
  }

  get time(): number {
    if (!this.playing) return this.anchor.t;
    return Math.min(this.duration, this.anchor.t + ((performance.now() - this.anchor.at) / 1000) * this.rateValue);
  }

  get paused(): boolean {
    return !this.playing;
  }

  get rate(): number {
    return this.rateValue;
  }

  get buffered(): Span[] {
    return [{ start: 0, end: this.duration }];
  }

  get waiting(): boolean {
    return this.screen.slow;
  }

  play(): void {
    const from = this.time >= this.duration ? 0 : this.time;
    this.playing = true;
    this.setTime(from);
  }

  pause(): void {
    const t = this.time;
    this.playing = false;
    this.setTime(t); // the screen shows exactly where it stopped, not the last frame before
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  seek(t: number): void {
    this.setTime(Math.max(0, Math.min(t, this.duration)));
  }

  setRate(rate: number): void {
    this.anchor = { t: this.time, at: performance.now() };
    this.rateValue = rate;
    this.update();
  }

  /** To the previous or next moment the output changed. */
  stepFrame(direction: 1 | -1): void {
    if (this.playing) this.pause();
    const times = this.frameTimes ?? new Float64Array();
    const t = this.time;
    let target: number | undefined;
    if (direction > 0) target = times.find((x) => x > t + 0.0005);
    else target = [...times].reverse().find((x) => x < t - 0.0005);
    this.seek(target ?? (direction > 0 ? this.duration : 0));
  }

  goLive(): void {
    // a recording, never live
  }

  private setTime(t: number): void {
    this.anchor = { t, at: performance.now() };
    this.screen.showSteps(stepsDueAt(this.recording.steps, t));
    this.update();
  }

  /** One animation frame of playing: skip an idle stretch, stop at the end, show what is due. */
  private advance(): void {
    let t = this.time;
    if (this.skipIdle) {
      const stretch = this.idle.find((s) => t >= s.from && t < s.to);
      if (stretch) {
        t = stretch.to;
        this.anchor = { t, at: performance.now() };
      }
    }
    if (t >= this.duration) {
      this.anchor = { t: this.duration, at: performance.now() };
      this.playing = false;
      t = this.duration;
    }
    this.screen.showSteps(stepsDueAt(this.recording.steps, t));
    this.update();
  }
}
