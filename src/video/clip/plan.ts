// Which samples of a recording make the clip [fromMs, toMs), and how. A clip must start with a picture a
// decoder can begin at, showing what was on screen at fromMs:
// - the picture on screen at fromMs is a keyframe, or fromMs is before the first picture: every sample is
//   copied as it is, only re-timed;
// - otherwise that picture depends on earlier ones: the group of pictures is decoded from its keyframe,
//   and the pictures from fromMs up to the next keyframe are encoded again (the first as a keyframe);
//   from that keyframe on the samples are copied.
// Times in the clip start at 0: a sample at recording time t plays at t − fromMs (a picture that was
// already on screen at fromMs starts at 0), and the last one lasts until toMs.
import type { StoredSample } from "../mp4/types.ts";

export interface ClipSample {
  /** The recording's sample this one shows. */
  source: StoredSample;
  /** When it plays in the clip, ms. */
  dtsMs: number;
  durationMs: number;
}

export interface ClipPlan {
  /** Samples to decode (keyframe first) to get the pictures of `reencode`; empty when nothing is re-encoded. */
  decode: StoredSample[];
  /** Pictures to encode again, in order; the first becomes a keyframe. */
  reencode: ClipSample[];
  /** Samples copied unchanged (the first, if any, is a keyframe). */
  copy: ClipSample[];
  durationMs: number;
}

/**
 * Plans the clip. `samples` are the recording's, in decode order, the first a keyframe; `toMs` may lie past
 * the last sample's end (a live recording's newest picture lasts until now). Throws a RangeError when no
 * picture falls before `toMs`.
 */
export function planClip(samples: readonly StoredSample[], fromMs: number, toMs: number): ClipPlan {
  if (!(toMs > fromMs) || fromMs < 0) throw new RangeError(`empty or negative span ${fromMs}..${toMs} ms`);
  const end = lastIndexBefore(samples, toMs) + 1; // samples[0..end) start before toMs
  if (end === 0) throw new RangeError(`the recording has no picture before ${toMs} ms`);
  const onScreen = lastIndexAtOrBefore(samples, fromMs); // -1: fromMs is before the first picture
  const timed = (i: number, dtsMs: number): ClipSample => {
    const nextStart = i + 1 < end ? samples[i + 1].dtsMs : toMs;
    return { source: samples[i], dtsMs, durationMs: nextStart - Math.max(fromMs, samples[i].dtsMs) };
  };
  const rebased = (i: number) => timed(i, Math.max(0, samples[i].dtsMs - fromMs));

  let firstCopied = Math.max(0, onScreen);
  const decode: StoredSample[] = [];
  const reencode: ClipSample[] = [];
  if (onScreen >= 0 && !samples[onScreen].isKey) {
    let keyframe = onScreen;
    while (keyframe > 0 && !samples[keyframe].isKey) keyframe--;
    if (!samples[keyframe].isKey) throw new RangeError("the recording does not start with a keyframe");
    let nextKey = onScreen + 1;
    while (nextKey < end && !samples[nextKey].isKey) nextKey++;
    decode.push(...samples.slice(keyframe, nextKey));
    for (let i = onScreen; i < nextKey; i++) reencode.push(rebased(i));
    firstCopied = nextKey;
  }
  const copy: ClipSample[] = [];
  for (let i = firstCopied; i < end; i++) copy.push(rebased(i));
  return { decode, reencode, copy, durationMs: toMs - fromMs };
}

/** Index of the last sample starting at or before `t`, -1 if none (binary search: samples are sorted). */
function lastIndexAtOrBefore(samples: readonly StoredSample[], t: number): number {
  let lo = 0;
  let hi = samples.length; // answer + 1 lies in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid].dtsMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function lastIndexBefore(samples: readonly StoredSample[], t: number): number {
  return lastIndexAtOrBefore(samples, t - 1);
}
