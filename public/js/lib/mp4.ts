// Just enough ISO-BMFF reading for the player: the codec string and timescale of an init segment, the time span of
// a media fragment, top-level box layout, and a progressive MP4's sample table (frame times, for frame stepping and
// finding idle stretches). Pure functions over bytes; unit-tested with real files.

export interface Box {
  type: string;
  start: number;
  /** First byte of the body (after the size/type header). */
  body: number;
  end: number;
}

function u32(d: Uint8Array, at: number): number {
  return ((d[at] << 24) >>> 0) + (d[at + 1] << 16) + (d[at + 2] << 8) + d[at + 3];
}

function u64(d: Uint8Array, at: number): number {
  return u32(d, at) * 2 ** 32 + u32(d, at + 4);
}

function fourcc(d: Uint8Array, at: number): string {
  return String.fromCharCode(d[at], d[at + 1], d[at + 2], d[at + 3]);
}

/** The boxes in [start, end). Stops at a truncated box (its `end` is past the data), which it still yields. */
export function* boxes(d: Uint8Array, start = 0, end = d.length): Generator<Box> {
  let at = start;
  while (at + 8 <= end) {
    let size = u32(d, at);
    const type = fourcc(d, at + 4);
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > end) return;
      size = u64(d, at + 8);
      body = at + 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < body - at) return;
    yield { type, start: at, body, end: at + size };
    at += size;
  }
}

/** Where the child boxes of a container start (sample entries and stsd have fields before their children). */
function childStart(d: Uint8Array, box: Box): number {
  switch (box.type) {
    case "stsd":
      return box.body + 8;
    case "avc1":
    case "avc3":
    case "encv":
      return box.body + 78;
    case "meta":
      return box.body + 4;
    default:
      return box.body;
  }
}

export function findBox(d: Uint8Array, path: readonly string[], start = 0, end = d.length): Box | null {
  let range: [number, number] = [start, end];
  let found: Box | null = null;
  for (const type of path) {
    found = null;
    for (const box of boxes(d, range[0], Math.min(range[1], d.length))) {
      if (box.type === type) {
        found = box;
        break;
      }
    }
    if (!found) return null;
    range = [childStart(d, found), Math.min(found.end, d.length)];
  }
  return found;
}

const VIDEO_STBL = ["moov", "trak", "mdia", "minf", "stbl"];

/** The MSE codec string of an init segment or progressive MP4 header, e.g. `avc1.42C01F`. */
export function codecString(init: Uint8Array): string | null {
  const stsd = findBox(init, [...VIDEO_STBL, "stsd"]);
  if (!stsd) return null;
  for (const entry of boxes(init, childStart(init, stsd), stsd.end)) {
    if (entry.type !== "avc1" && entry.type !== "avc3") return entry.type;
    for (const child of boxes(init, childStart(init, entry), entry.end)) {
      if (child.type !== "avcC") continue;
      const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");
      return `${entry.type}.${hex(init[child.body + 1])}${hex(init[child.body + 2])}${hex(init[child.body + 3])}`;
    }
    return entry.type;
  }
  return null;
}

/** The video track's timescale (ticks per second). */
export function trackTimescale(init: Uint8Array): number | null {
  const mdhd = findBox(init, ["moov", "trak", "mdia", "mdhd"]);
  if (!mdhd) return null;
  const version = init[mdhd.body];
  return u32(init, mdhd.body + (version === 1 ? 20 : 12));
}

/** The default sample duration of fragments (mvex/trex), in track ticks. */
export function defaultSampleDuration(init: Uint8Array): number {
  const trex = findBox(init, ["moov", "mvex", "trex"]);
  return trex ? u32(init, trex.body + 12) : 0;
}

export interface FragmentSpan {
  /** Decode time of the first sample, seconds. */
  start: number;
  /** Start plus the samples' durations, seconds. */
  end: number;
  samples: number;
}

/** The time span of a media fragment (one or more moof+mdat pairs). */
export function fragmentSpan(d: Uint8Array, timescale: number, defaultDuration = 0): FragmentSpan | null {
  let first: number | null = null;
  let last = 0;
  let samples = 0;
  for (const moof of boxes(d)) {
    if (moof.type !== "moof") continue;
    for (const traf of boxes(d, moof.body, moof.end)) {
      if (traf.type !== "traf") continue;
      let base = 0;
      let trafDefault = defaultDuration;
      let duration = 0;
      for (const child of boxes(d, traf.body, traf.end)) {
        const flags = (d[child.body + 1] << 16) | (d[child.body + 2] << 8) | d[child.body + 3];
        if (child.type === "tfdt") {
          base = d[child.body] === 1 ? u64(d, child.body + 4) : u32(d, child.body + 4);
        } else if (child.type === "tfhd") {
          let at = child.body + 8; // version/flags, track_ID
          if (flags & 0x01) at += 8; // base_data_offset
          if (flags & 0x02) at += 4; // sample_description_index
          if (flags & 0x08) trafDefault = u32(d, at);
        } else if (child.type === "trun") {
          const count = u32(d, child.body + 4);
          samples += count;
          let at = child.body + 8;
          if (flags & 0x01) at += 4; // data_offset
          if (flags & 0x04) at += 4; // first_sample_flags
          const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
          if (flags & 0x100) {
            for (let i = 0; i < count; i++) duration += u32(d, at + i * perSample);
          } else {
            duration += count * trafDefault;
          }
        }
      }
      if (first === null) first = base;
      last = Math.max(last, base + duration);
    }
  }
  if (first === null || !timescale) return null;
  return { start: first / timescale, end: last / timescale, samples };
}

/** Top-level boxes, e.g. to find where `moov` is in a progressive file from its first bytes. */
export function topLevelBoxes(d: Uint8Array): Box[] {
  return [...boxes(d)];
}

export interface SampleTable {
  timescale: number;
  /** Presentation start of each sample, seconds (no edit-list shift: our files start at 0). */
  times: Float64Array;
  durations: Float64Array;
  sizes: Uint32Array;
}

/** The video track's samples from a `moov` box (given as its own bytes). */
export function sampleTable(moov: Uint8Array): SampleTable | null {
  const timescale = trackTimescale(moov);
  const stts = findBox(moov, [...VIDEO_STBL, "stts"]);
  if (!timescale || !stts) return null;
  const entries = u32(moov, stts.body + 4);
  let total = 0;
  for (let i = 0; i < entries; i++) total += u32(moov, stts.body + 8 + i * 8);
  const times = new Float64Array(total);
  const durations = new Float64Array(total);
  let n = 0;
  let t = 0;
  for (let i = 0; i < entries; i++) {
    const count = u32(moov, stts.body + 8 + i * 8);
    const delta = u32(moov, stts.body + 12 + i * 8);
    for (let k = 0; k < count; k++, n++) {
      times[n] = t / timescale;
      durations[n] = delta / timescale;
      t += delta;
    }
  }
  const sizes = new Uint32Array(total);
  const stsz = findBox(moov, [...VIDEO_STBL, "stsz"]);
  if (stsz) {
    const fixed = u32(moov, stsz.body + 4);
    for (let i = 0; i < total; i++) sizes[i] = fixed || u32(moov, stsz.body + 12 + i * 4);
  }
  return { timescale, times, durations, sizes };
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
