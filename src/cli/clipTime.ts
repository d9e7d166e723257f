// Times on a recording's timeline as people type them: `90` or `90s` (seconds), `1:30`, `1:02:03.5`
// ([h:]m:s), `2500ms`. Whole milliseconds come out, as the clip route takes them.
import { UsageError } from "./args.ts";

const CLOCK = /^(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/;
const SECONDS = /^(\d+(?:\.\d+)?)s?$/;
const MILLISECONDS = /^(\d+)ms$/;

export function parseClipTime(option: string, text: string): number {
  const value = text.trim();
  let ms: number | null = null;
  const clock = CLOCK.exec(value);
  const seconds = SECONDS.exec(value);
  const millis = MILLISECONDS.exec(value);
  if (millis) ms = Number(millis[1]);
  else if (seconds) ms = Number(seconds[1]) * 1000;
  else if (clock) {
    const [h, m, s] = [Number(clock[1] ?? 0), Number(clock[2]), Number(clock[3])];
    if (m >= 60 && clock[1] !== undefined) throw new UsageError(`--${option} ${text}: minutes must be below 60`);
    if (s >= 60) throw new UsageError(`--${option} ${text}: seconds must be below 60`);
    ms = ((h * 60 + m) * 60 + s) * 1000;
  }
  if (ms === null || !Number.isFinite(ms)) {
    throw new UsageError(`--${option} ${text}: expected a time from the recording's start: 90, 90s, 1:30, 1:02:03.5 or 2500ms`);
  }
  return Math.round(ms);
}
