// The finished recording as a standard MP4 with the moov first (plays and seeks while still downloading).
// Sample bytes are copied from wherever they already are (the live fragmented file), never re-encoded,
// and streamed out in large blocks so even a multi-hour session is never held in memory.

import { BoxWriter, mdatHeader } from "./boxes.ts";
import { BufferedSink, type ByteSink, type RangeReader } from "./io.ts";
import { writeMetadataTags } from "./metadata.ts";
import { writeFtyp, writeMvhd, writeVideoTrak } from "./movie.ts";
import type { StoredSample, VideoCodecConfig } from "./types.ts";
import { LoopShare } from "../../eventLoop.ts";

export interface FinalMp4Input {
  config: VideoCodecConfig;
  /**
   * Samples in decode order. Each must start where the previous one ends (dts + duration = next dts);
   * the video ends when the last one does. A first sample after 0 ms gets an empty edit before it.
   */
  samples: StoredSample[];
  /** Reads sample bytes [start, end) from the source the offsets refer to. */
  read: RangeReader;
  /** Text tags for the moov (key, value), e.g. where a clip was cut from. */
  metadata?: ReadonlyArray<readonly [string, string]>;
}

export interface FinalMp4Result {
  bytes: number;
  durationMs: number;
  samples: number;
  keyframes: number;
}

const SAMPLES_PER_CHUNK = 32;
/** Reads of the source cover this many bytes at most... */
const READ_SPAN_BYTES = 8 * 1024 * 1024;
/** ...and bridge gaps (fragment headers between samples) up to this size. */
const READ_GAP_BYTES = 64 * 1024;

function checkSamples(samples: StoredSample[]): void {
  if (samples.length === 0) throw new Error("an MP4 needs at least one sample");
  if (!samples[0].isKey) throw new Error("the first sample must be a keyframe");
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (!Number.isSafeInteger(s.dtsMs) || s.dtsMs < 0) throw new Error(`sample ${i}: bad dts ${s.dtsMs}`);
    if (!Number.isInteger(s.durationMs) || s.durationMs < 1 || s.durationMs > 0xffffffff) {
      throw new Error(`sample ${i} at ${s.dtsMs} ms: bad duration ${s.durationMs}`);
    }
    if (!Number.isSafeInteger(s.offset) || s.offset < 0 || !Number.isInteger(s.size) || s.size <= 0) {
      throw new Error(`sample ${i} at ${s.dtsMs} ms: bad location ${s.offset}+${s.size}`);
    }
    const next = samples[i + 1];
    if (next && s.dtsMs + s.durationMs !== next.dtsMs) {
      throw new Error(`sample ${i} ends at ${s.dtsMs + s.durationMs} ms but the next starts at ${next.dtsMs} ms`);
    }
  }
}

function writeSampleTables(w: BoxWriter, samples: StoredSample[], firstChunkOffset: number, wide: boolean): void {
  w.fullBox("stts", 0, 0, (b) => {
    const runs: { count: number; delta: number }[] = [];
    for (const s of samples) {
      const last = runs[runs.length - 1];
      if (last && last.delta === s.durationMs) last.count++;
      else runs.push({ count: 1, delta: s.durationMs });
    }
    b.u32(runs.length);
    for (const run of runs) b.u32(run.count).u32(run.delta);
  });

  const keyNumbers: number[] = [];
  samples.forEach((s, i) => s.isKey && keyNumbers.push(i + 1));
  if (keyNumbers.length < samples.length) {
    w.fullBox("stss", 0, 0, (b) => {
      b.u32(keyNumbers.length);
      for (const n of keyNumbers) b.u32(n);
    });
  }

  const chunkCount = Math.ceil(samples.length / SAMPLES_PER_CHUNK);
  const lastChunkSamples = samples.length - (chunkCount - 1) * SAMPLES_PER_CHUNK;
  w.fullBox("stsc", 0, 0, (b) => {
    const entries: [number, number][] = [[1, Math.min(SAMPLES_PER_CHUNK, samples.length)]];
    if (chunkCount > 1 && lastChunkSamples !== SAMPLES_PER_CHUNK) entries.push([chunkCount, lastChunkSamples]);
    b.u32(entries.length);
    for (const [firstChunk, perChunk] of entries) b.u32(firstChunk).u32(perChunk).u32(1);
  });

  w.fullBox("stsz", 0, 0, (b) => {
    b.u32(0).u32(samples.length);
    for (const s of samples) b.u32(s.size);
  });

  w.fullBox(wide ? "co64" : "stco", 0, 0, (b) => {
    b.u32(chunkCount);
    let offset = firstChunkOffset;
    for (let i = 0; i < samples.length; i++) {
      if (i % SAMPLES_PER_CHUNK === 0) {
        if (wide) b.u64(offset);
        else b.u32(offset);
      }
      offset += samples[i].size;
    }
  });
}

interface FinalLayout {
  head: Uint8Array; // ftyp + moov + mdat header
  payloadBytes: number;
  durationMs: number;
}

type Tags = ReadonlyArray<readonly [string, string]>;

function buildMoov(config: VideoCodecConfig, samples: StoredSample[], firstChunkOffset: number, wide: boolean, tags: Tags): Uint8Array {
  const first = samples[0];
  const last = samples[samples.length - 1];
  const durationMs = last.dtsMs + last.durationMs;
  const w = new BoxWriter(4096 + samples.length * 12);
  w.box("moov", (moov) => {
    writeMvhd(moov, durationMs);
    const timing = { trackDurationMs: durationMs, mediaDurationMs: durationMs - first.dtsMs, emptyEditMs: first.dtsMs };
    writeVideoTrak(moov, config, timing, (stbl) => writeSampleTables(stbl, samples, firstChunkOffset, wide));
    writeMetadataTags(moov, tags);
  });
  return w.toBytes();
}

/** Everything before the sample data, with chunk offsets pointing at where the data will follow. */
export function finalMp4Layout(config: VideoCodecConfig, samples: StoredSample[], tags: Tags = []): FinalLayout {
  checkSamples(samples);
  const payloadBytes = samples.reduce((sum, s) => sum + s.size, 0);
  const ftypWriter = new BoxWriter(64);
  writeFtyp(ftypWriter, "isom", ["isom", "iso2", "avc1", "mp41"]);
  const ftyp = ftypWriter.toBytes();
  const mdat = mdatHeader(payloadBytes);
  // the moov's size does not depend on the offset values, only on their width (stco or co64)
  const fits = (moovBytes: number) => ftyp.length + moovBytes + mdat.length + payloadBytes <= 0xffffffff;
  let wide = !fits(0);
  let moovSize = buildMoov(config, samples, 0, wide, tags).length;
  if (!wide && !fits(moovSize)) {
    wide = true;
    moovSize = buildMoov(config, samples, 0, true, tags).length;
  }
  const moov = buildMoov(config, samples, ftyp.length + moovSize + mdat.length, wide, tags);
  const head = new Uint8Array(ftyp.length + moov.length + mdat.length);
  head.set(ftyp, 0);
  head.set(moov, ftyp.length);
  head.set(mdat, ftyp.length + moov.length);
  const last = samples[samples.length - 1];
  return { head, payloadBytes, durationMs: last.dtsMs + last.durationMs };
}

/** Copies the sample data in source order, reading spans that cover many samples at once. */
async function copySampleData(samples: StoredSample[], read: RangeReader, out: BufferedSink): Promise<void> {
  // An hour's MP4 is hundreds of MB read from the page cache: other sessions' sockets get their turns.
  const share = new LoopShare();
  let i = 0;
  while (i < samples.length) {
    const spanStart = samples[i].offset;
    let spanEnd = spanStart + samples[i].size;
    let j = i + 1;
    while (j < samples.length) {
      const next = samples[j];
      const nextEnd = next.offset + next.size;
      if (next.offset < spanEnd || next.offset - spanEnd > READ_GAP_BYTES || nextEnd - spanStart > READ_SPAN_BYTES) break;
      spanEnd = nextEnd;
      j++;
    }
    const span = await read(spanStart, spanEnd);
    if (span.length < spanEnd - spanStart) {
      throw new Error(`sample source ends at ${spanStart + span.length}, sample data needs up to ${spanEnd}`);
    }
    for (let k = i; k < j; k++) {
      const local = samples[k].offset - spanStart;
      await out.write(span.subarray(local, local + samples[k].size));
    }
    i = j;
    await share.turn();
  }
}

/** Writes the MP4 to `sink` and closes it; on failure the sink is aborted. */
export async function writeFinalMp4(input: FinalMp4Input, sink: ByteSink): Promise<FinalMp4Result> {
  try {
    const layout = finalMp4Layout(input.config, input.samples, input.metadata);
    const out = new BufferedSink(sink);
    await out.write(layout.head);
    await copySampleData(input.samples, input.read, out);
    await out.flush();
    await sink.close();
    return {
      bytes: layout.head.length + layout.payloadBytes,
      durationMs: layout.durationMs,
      samples: input.samples.length,
      keyframes: input.samples.filter((s) => s.isKey).length,
    };
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  }
}
