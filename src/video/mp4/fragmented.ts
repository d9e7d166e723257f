// Fragmented MP4 (ISO 14496-12 §8.8): an init segment (ftyp + moov with mvex) and media fragments
// (moof + mdat), each playable as soon as it is written. Layout follows the ISO BMFF byte stream format
// for MSE: default-base-is-moof, a tfdt in every traf, one trun with per-sample duration, size and flags.

import { BoxWriter, mdatHeader } from "./boxes.ts";
import { TRACK_ID, writeFtyp, writeMvhd, writeVideoTrak } from "./movie.ts";
import type { FragmentSample, VideoCodecConfig } from "./types.ts";

/** sample_depends_on = 2 (an I picture). */
export const SYNC_SAMPLE_FLAGS = 0x02000000;
/** sample_depends_on = 1 (a P picture) and sample_is_non_sync_sample. */
export const NON_SYNC_SAMPLE_FLAGS = 0x01010000;

const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
const TRUN_DATA_OFFSET = 0x000001;
const TRUN_SAMPLE_DURATION = 0x000100;
const TRUN_SAMPLE_SIZE = 0x000200;
const TRUN_SAMPLE_FLAGS = 0x000400;

export function initSegment(config: VideoCodecConfig): Uint8Array {
  const w = new BoxWriter(1024);
  writeFtyp(w, "iso5", ["iso5", "iso6", "mp41", "avc1"]);
  w.box("moov", (moov) => {
    writeMvhd(moov, 0);
    writeVideoTrak(moov, config, { trackDurationMs: 0, mediaDurationMs: 0, emptyEditMs: 0 }, (stbl) => {
      stbl.fullBox("stts", 0, 0, (b) => b.u32(0));
      stbl.fullBox("stsc", 0, 0, (b) => b.u32(0));
      stbl.fullBox("stsz", 0, 0, (b) => b.u32(0).u32(0));
      stbl.fullBox("stco", 0, 0, (b) => b.u32(0));
    });
    moov.box("mvex", (mvex) =>
      mvex.fullBox("trex", 0, 0, (b) => b.u32(TRACK_ID).u32(1).u32(0).u32(0).u32(NON_SYNC_SAMPLE_FLAGS)),
    );
  });
  return w.toBytes();
}

export interface EncodedFragment {
  /** moof + mdat. */
  bytes: Uint8Array;
  /** Where each sample's data starts inside `bytes`. */
  sampleOffsets: number[];
}

function checkFragmentSamples(samples: FragmentSample[]): void {
  if (samples.length === 0) throw new Error("a media fragment needs at least one sample");
  let previousEnd = -Infinity;
  for (const sample of samples) {
    const { dtsMs, durationMs, data } = sample;
    if (!Number.isSafeInteger(dtsMs) || dtsMs < 0) throw new Error(`sample dts must be a whole ms >= 0, got ${dtsMs}`);
    if (!Number.isInteger(durationMs) || durationMs < 0 || durationMs > 0xffffffff) {
      throw new Error(`sample duration must be a whole ms in u32 range, got ${durationMs}`);
    }
    if (data.length === 0) throw new Error(`empty sample at ${dtsMs} ms`);
    if (dtsMs < previousEnd) throw new Error(`samples in one fragment must not overlap (dts ${dtsMs} ms)`);
    previousEnd = dtsMs + durationMs;
  }
}

/**
 * One fragment carrying `samples` back to back. The first sample's dts goes into tfdt; the following
 * samples are placed by the durations before them, so within a fragment they must be contiguous.
 */
export function encodeMediaFragment(sequenceNumber: number, samples: FragmentSample[]): EncodedFragment {
  checkFragmentSamples(samples);
  for (let i = 1; i < samples.length; i++) {
    const expected = samples[i - 1].dtsMs + samples[i - 1].durationMs;
    if (samples[i].dtsMs !== expected) {
      throw new Error(`sample ${i} dts ${samples[i].dtsMs} ms != previous dts + duration ${expected} ms`);
    }
  }
  const payload = samples.reduce((sum, s) => sum + s.data.length, 0);
  // Sized for the payload up front: growing by doubling copies each keyframe several times.
  const w = new BoxWriter(256 + samples.length * 16 + payload);
  let dataOffsetAt = -1;
  w.box("moof", (moof) => {
    moof.fullBox("mfhd", 0, 0, (b) => b.u32(sequenceNumber));
    moof.box("traf", (traf) => {
      traf.fullBox("tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF, (b) => b.u32(TRACK_ID));
      traf.fullBox("tfdt", 1, 0, (b) => b.u64(samples[0].dtsMs));
      const trunFlags = TRUN_DATA_OFFSET | TRUN_SAMPLE_DURATION | TRUN_SAMPLE_SIZE | TRUN_SAMPLE_FLAGS;
      traf.fullBox("trun", 0, trunFlags, (b) => {
        b.u32(samples.length);
        dataOffsetAt = b.size;
        b.u32(0); // patched below: moof size + mdat header
        for (const sample of samples) {
          b.u32(sample.durationMs).u32(sample.data.length);
          b.u32(sample.isKey ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS);
        }
      });
    });
  });
  const header = mdatHeader(payload);
  const moofSize = w.size;
  w.patchU32(dataOffsetAt, moofSize + header.length);
  w.bytes(header);
  const sampleOffsets: number[] = [];
  for (const sample of samples) {
    sampleOffsets.push(w.size);
    w.bytes(sample.data);
  }
  return { bytes: w.toBytes(), sampleOffsets };
}

/** moof + mdat for `samples` (see encodeMediaFragment). */
export function mediaFragment(sequenceNumber: number, samples: FragmentSample[]): Uint8Array {
  return encodeMediaFragment(sequenceNumber, samples).bytes;
}
