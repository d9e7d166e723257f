// What the player's controls (buttons, timeline, shortcuts, events list) drive: a recording being shown.
// The desktop video (core.ts) and the SSH terminal (terminal/terminalPlayer.ts) both implement it.
import type { Stretch } from "../lib/mp4.ts";

export interface Span {
  start: number;
  end: number;
}

/** Emits "update" (coalesced, at most once per animation frame) whenever what the controls show changed. */
export interface PlayerMedia extends EventTarget {
  /** A short name of how it is shown ("vod", "live", "dvr", "terminal"), for styling and tests. */
  readonly mode: string;
  /** Position and length, seconds of recording time. */
  readonly time: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly rate: number;
  readonly buffered: Span[];
  readonly waiting: boolean;
  readonly error: string | null;
  readonly isLiveSession: boolean;
  readonly sessionEnded: boolean;
  readonly atLiveEdge: boolean;
  /** Jump over idle stretches while playing. */
  skipIdle: boolean;
  idle: Stretch[];
  /** Times one step (, and .) moves between, when known. */
  frameTimes: Float64Array | null;
  play(): void;
  pause(): void;
  toggle(): void;
  seek(t: number): void;
  setRate(rate: number): void;
  stepFrame(direction: 1 | -1): void;
  goLive(): void;
}
