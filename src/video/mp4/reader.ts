// Reads MP4 files back: a plain MP4 (moov sample tables → samples) and a fragmented MP4 such as our live
// file, which a crash may have cut anywhere (an incomplete trailing fragment is ignored).

import { type BoxCursor, type BoxHeader, cursorFor, findBox, isPlausibleBoxType, readBoxHeader } from "./boxReader.ts";
import type { RangeReader } from "./io.ts";
import { type ParsedFragmentSample, readMoof } from "./moof.ts";
import { body, readTrackDefaults, readVideoTrack, requireBox, type TrackDefaults, type VideoTrack } from "./track.ts";
import type { StoredSample, VideoCodecConfig } from "./types.ts";

// ---- plain MP4 ---------------------------------------------------------------------------------------

export interface Mp4SampleInfo {
  /** Byte offset of the sample data in the file. */
  offset: number;
  size: number;
  isKey: boolean;
  /** Decode time in `timescale` units. */
  dts: number;
  /** Duration in `timescale` units. */
  duration: number;
}

export interface Mp4Samples {
  sps: Uint8Array[];
  pps: Uint8Array[];
  width: number;
  height: number;
  /** Units per second of `dts` and `duration`. */
  timescale: number;
  samples: Mp4SampleInfo[];
}

function readTable(bytes: Uint8Array, stbl: BoxHeader, type: string): BoxCursor | null {
  const box = findBox(bytes, [type], body(stbl).start, body(stbl).end);
  if (!box) return null;
  const cursor = cursorFor(bytes, box);
  cursor.fullBoxHeader();
  return cursor;
}

/** True when an AVCC sample (4-byte length-prefixed NAL units) contains an IDR slice (NAL type 5). */
export function containsIdrSlice(sample: Uint8Array): boolean {
  const view = new DataView(sample.buffer, sample.byteOffset, sample.byteLength);
  for (let at = 0; at + 5 <= sample.length; ) {
    if ((sample[at + 4] & 0x1f) === 5) return true;
    at += 4 + view.getUint32(at);
  }
  return false;
}

/** Sample list of the first video track of a plain (non-fragmented) MP4 held in memory (at least up to its moov's end). */
export function readMp4Samples(bytes: Uint8Array): Mp4Samples {
  const moovBox = findBox(bytes, ["moov"]);
  if (!moovBox) throw new Error("not a plain MP4: no moov box");
  const moovBytes = bytes.subarray(moovBox.start, moovBox.end);
  const track = readVideoTrack(moovBytes);
  const stbl = requireBox(moovBytes, ["mdia", "minf", "stbl"], track.trak, "trak");
  const table = (type: string) => readTable(moovBytes, stbl, type);

  const stsz = table("stsz");
  if (!stsz) throw new Error("stbl without stsz");
  const constantSize = stsz.u32();
  const count = stsz.u32();
  const sizes = Array.from({ length: count }, () => (constantSize !== 0 ? constantSize : stsz.u32()));

  const durations: number[] = [];
  const stts = table("stts");
  if (!stts) throw new Error("stbl without stts");
  for (let runs = stts.u32(); runs > 0; runs--) {
    const runLength = stts.u32();
    const delta = stts.u32();
    for (let i = 0; i < runLength; i++) durations.push(delta);
  }

  const stss = table("stss");
  const keySamples = new Set<number>();
  if (stss) for (let n = stss.u32(); n > 0; n--) keySamples.add(stss.u32());

  const chunkOffsets: number[] = [];
  const stco = table("stco");
  const co64 = table("co64");
  if (stco) for (let n = stco.u32(); n > 0; n--) chunkOffsets.push(stco.u32());
  else if (co64) for (let n = co64.u32(); n > 0; n--) chunkOffsets.push(co64.u64());
  else throw new Error("stbl without stco/co64");

  const stsc = table("stsc");
  if (!stsc) throw new Error("stbl without stsc");
  const chunkRuns: { firstChunk: number; samplesPerChunk: number }[] = [];
  for (let n = stsc.u32(); n > 0; n--) {
    chunkRuns.push({ firstChunk: stsc.u32(), samplesPerChunk: stsc.u32() });
    stsc.u32(); // sample_description_index
  }

  const samples: Mp4SampleInfo[] = [];
  let dts = 0;
  let sampleIndex = 0;
  for (let run = 0; run < chunkRuns.length && sampleIndex < count; run++) {
    const lastChunk = run + 1 < chunkRuns.length ? chunkRuns[run + 1].firstChunk - 1 : chunkOffsets.length;
    for (let chunk = chunkRuns[run].firstChunk; chunk <= lastChunk && sampleIndex < count; chunk++) {
      let offset = chunkOffsets[chunk - 1];
      if (offset === undefined) throw new Error(`stsc refers to missing chunk ${chunk}`);
      for (let i = 0; i < chunkRuns[run].samplesPerChunk && sampleIndex < count; i++) {
        const size = sizes[sampleIndex];
        const duration = durations[sampleIndex] ?? 0;
        // without stss every sample would be "sync"; encoders that omit it (h264-mp4-encoder) still
        // mark keyframes in the bitstream, so look for an IDR slice instead (when `bytes` holds only the
        // head of the file, the sample is not there to look at: take the table's word)
        const isKey = stss ? keySamples.has(sampleIndex + 1) : offset + size > bytes.length || containsIdrSlice(bytes.subarray(offset, offset + size));
        samples.push({ offset, size, isKey, dts, duration });
        offset += size;
        dts += duration;
        sampleIndex++;
      }
    }
  }
  if (samples.length !== count) throw new Error(`sample tables describe ${samples.length} of ${count} samples`);
  const { width, height, sps, pps } = track.config;
  return { sps, pps, width, height, timescale: track.timescale, samples };
}

// ---- fragmented MP4 ------------------------------------------------------------------------------

export interface FragmentedMp4 {
  config: VideoCodecConfig;
  /**
   * Samples of the complete fragments, times in ms. A sample's duration is the distance to the next
   * sample's decode time (tfdt is the truth; a live fragment's own duration is provisional); the last
   * sample keeps the duration its fragment declared.
   */
  samples: StoredSample[];
  fragments: number;
  /** File offset just past the last complete fragment. */
  completeBytes: number;
  /** Bytes after `completeBytes`: a fragment cut short by a crash, or garbage. */
  ignoredBytes: number;
}

export interface SizedSource {
  read: RangeReader;
  size: number;
}

/** Serves small reads from large windows, so walking thousands of fragments costs few real reads. */
class WindowedSource {
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    private readonly source: SizedSource,
    private readonly windowBytes = 4 * 1024 * 1024,
  ) {}

  /** Bytes [start, end) clamped to the source size. */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    end = Math.min(end, this.source.size);
    if (start >= this.windowStart && end <= this.windowStart + this.window.length) {
      return this.window.subarray(start - this.windowStart, end - this.windowStart);
    }
    const windowEnd = Math.min(this.source.size, start + Math.max(this.windowBytes, end - start));
    this.window = await this.source.read(start, windowEnd);
    this.windowStart = start;
    return this.window.subarray(0, Math.max(0, Math.min(end, windowEnd) - start));
  }
}

/**
 * Parses a fragmented MP4 (ftyp, moov with mvex, then moof+mdat pairs) without loading it whole.
 * Stops at the first fragment that is incomplete or not a box at all; what comes before is returned.
 */
export async function readFragmentedMp4(source: Uint8Array | SizedSource): Promise<FragmentedMp4> {
  const sized: SizedSource =
    source instanceof Uint8Array ? { read: async (s, e) => source.subarray(s, e), size: source.length } : source;
  const windowed = new WindowedSource(sized);
  const header = async (at: number): Promise<BoxHeader | null> => {
    const bytes = await windowed.bytes(at, at + 16);
    const box = readBoxHeader(bytes, 0, bytes.length, at);
    // a size of 0 means "to the end of the file"
    if (box && bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(0) === 0) box.end = sized.size;
    return box;
  };

  let at = 0;
  let track: VideoTrack | null = null;
  let defaults: TrackDefaults = { duration: 0, size: 0, flags: 0 };
  // the moov comes before any fragment
  while (!track) {
    const box = await header(at);
    if (!box || box.end > sized.size) throw new Error("fragmented MP4 ends before its moov is complete");
    if (box.type === "moov") {
      const moov = await windowed.bytes(box.start, box.end);
      track = readVideoTrack(moov);
      defaults = readTrackDefaults(moov, track.trackId);
    }
    at = box.end;
  }

  const raw: ParsedFragmentSample[] = [];
  let fragments = 0;
  let completeBytes = at;
  while (at < sized.size) {
    const box = await header(at);
    if (!box || !isPlausibleBoxType(box.type) || box.end > sized.size || box.end - box.start < box.headerSize) break;
    if (box.type === "moof") {
      const moof = await windowed.bytes(box.start, box.end);
      let samples: ParsedFragmentSample[];
      try {
        samples = readMoof(moof, box.start, track.trackId, defaults);
      } catch {
        break; // a damaged moof ends what can be trusted
      }
      const dataEnd = samples.reduce((end, s) => Math.max(end, s.offset + s.size), box.end);
      if (dataEnd > sized.size) break;
      raw.push(...samples);
      fragments++;
      at = Math.max(box.end, dataEnd);
      // include the mdat that carried the data, when it is whole
      const mdat = await header(box.end);
      if (mdat && mdat.type === "mdat" && mdat.end <= sized.size && mdat.end >= dataEnd) at = mdat.end;
      completeBytes = at;
      continue;
    }
    at = box.end; // mdat already accounted for, or boxes we do not use (styp, sidx, free)
    if (box.type !== "mdat") completeBytes = at;
  }

  const toMs = (t: number) => Math.round((t * 1000) / track.timescale);
  const samples: StoredSample[] = raw.map((s, i) => {
    const dtsMs = toMs(s.dts);
    const next = raw[i + 1];
    const durationMs = next ? toMs(next.dts) - dtsMs : toMs(s.dts + s.duration) - dtsMs;
    return { offset: s.offset, size: s.size, dtsMs, durationMs, isKey: s.isKey };
  });
  return { config: track.config, samples, fragments, completeBytes, ignoredBytes: sized.size - completeBytes };
}
