// The player's view of MP4, on top of the server's own reader (src/video/mp4: boxes, the video track, moof
// samples, sample tables), so one piece of code reads our files on both sides. Here: what the player needs from
// an init segment, the time span of a live fragment, a finished file's frame times, and its idle stretches.
// Bad or truncated input gives null, never an exception: the player falls back instead.
import { avcCodecString } from "../../../src/video/mp4/avc.ts";
import { findBox, readBoxHeader } from "../../../src/video/mp4/boxReader.ts";
import { fragmentSamples } from "../../../src/video/mp4/moof.ts";
import { readMp4Samples } from "../../../src/video/mp4/reader.ts";
import { readTrackDefaults, readVideoTrack, type TrackDefaults } from "../../../src/video/mp4/track.ts";

export interface InitInfo {
  /** The MSE codec string, e.g. `avc1.42C01F`. */
  codec: string;
  /** Track ticks per second. */
  timescale: number;
  trackId: number;
  /** Fragment sample defaults (mvex/trex); zeros in a progressive file. */
  defaults: TrackDefaults;
}

/** The type of the box `bytes` starts with (even when the box runs past them), or null. */
export function firstBoxType(bytes: Uint8Array): string | null {
  return readBoxHeader(bytes, 0)?.type ?? null;
}

/** The moov box's own bytes out of a file's start, or null when it is not all there. */
export function moovOf(bytes: Uint8Array): Uint8Array | null {
  const moov = findBox(bytes, ["moov"]);
  return moov ? bytes.subarray(moov.start, moov.end) : null;
}

/** Codec, timescale and fragment defaults of the video track in an init segment or a progressive file's header. */
export function readInit(init: Uint8Array): InitInfo | null {
  const moov = moovOf(init);
  if (!moov) return null;
  try {
    const track = readVideoTrack(moov);
    const fragmented = findBox(moov, ["moov", "mvex"]) !== null;
    const defaults = fragmented ? readTrackDefaults(moov, track.trackId) : { duration: 0, size: 0, flags: 0 };
    const codec = avcCodecString(track.config.sps[0] ?? new Uint8Array(0), track.sampleEntry);
    return { codec, timescale: track.timescale, trackId: track.trackId, defaults };
  } catch {
    return null;
  }
}

export interface FragmentSpan {
  /** Decode time of the first sample, seconds. */
  start: number;
  /** Start plus the samples' durations, seconds. */
  end: number;
  samples: number;
}

/** The time span of a media fragment (one or more moof+mdat pairs) of the track `init` describes. */
export function fragmentSpan(fragment: Uint8Array, init: InitInfo): FragmentSpan | null {
  let samples;
  try {
    samples = fragmentSamples(fragment, init.trackId, init.defaults);
  } catch {
    return null;
  }
  if (samples.length === 0 || !init.timescale) return null;
  const start = Math.min(...samples.map((s) => s.dts));
  const end = Math.max(...samples.map((s) => s.dts + s.duration));
  return { start: start / init.timescale, end: end / init.timescale, samples: samples.length };
}

export interface SampleTable {
  timescale: number;
  /** Presentation start of each sample, seconds (Baseline H.264: no reordering, so decode order is display order). */
  times: Float64Array;
  durations: Float64Array;
  sizes: Uint32Array;
}

/** The video track's samples from a `moov` box (given as its own bytes). */
export function sampleTable(moov: Uint8Array): SampleTable | null {
  let read;
  try {
    read = readMp4Samples(moov);
  } catch {
    return null;
  }
  const { timescale, samples } = read;
  if (!timescale) return null;
  return {
    timescale,
    times: Float64Array.from(samples, (s) => s.dts / timescale),
    durations: Float64Array.from(samples, (s) => s.duration / timescale),
    sizes: Uint32Array.from(samples, (s) => s.size),
  };
}

export interface Stretch {
  from: number;
  to: number;
}

/**
 * Stretches where the picture does not change: a sample that stays on screen for at least `minSeconds`.
 * The first `lead` seconds of it are kept (the viewer sees the still picture), and the skip lands `tail` before the
 * next change, so no change is ever skipped.
 */
export function idleStretches(table: Pick<SampleTable, "times" | "durations">, minSeconds = 2, lead = 0.6, tail = 0.25): Stretch[] {
  const out: Stretch[] = [];
  for (let i = 0; i < table.times.length; i++) {
    if (table.durations[i] < minSeconds) continue;
    const from = table.times[i] + lead;
    const to = table.times[i] + table.durations[i] - tail;
    if (to - from >= 0.5) out.push({ from, to });
  }
  return out;
}
