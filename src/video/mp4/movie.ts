// The parts of a moov box that the fragmented init segment and the final MP4 share: ftyp, mvhd and a
// single H.264 video track whose sample table is written by the caller.

import { avcDecoderConfigRecord } from "./avc.ts";
import type { BoxWriter } from "./boxes.ts";
import { TIMESCALE, type VideoCodecConfig } from "./types.ts";

export const TRACK_ID = 1;

const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
const LANGUAGE_UND = 0x55c4; // packed ISO-639-2 "und"
const MAX_U32 = 0xffffffff;

export function writeFtyp(w: BoxWriter, majorBrand: string, compatibleBrands: string[]): void {
  w.box("ftyp", (b) => {
    b.fourcc(majorBrand).u32(0x200);
    for (const brand of compatibleBrands) b.fourcc(brand);
  });
}

function writeMatrix(w: BoxWriter): void {
  for (const value of UNITY_MATRIX) w.u32(value);
}

/** Writes a time as u32 in version 0 boxes or u64 in version 1 ones (needed beyond ~49 days at 1 ms). */
function versionFor(duration: number): 0 | 1 {
  return duration > MAX_U32 ? 1 : 0;
}

function writeTimes(w: BoxWriter, version: 0 | 1): void {
  // creation and modification time: left at 0 (unknown) so identical inputs give identical files
  if (version === 1) w.u64(0).u64(0);
  else w.u32(0).u32(0);
}

function writeDuration(w: BoxWriter, version: 0 | 1, duration: number): void {
  if (version === 1) w.u64(duration);
  else w.u32(duration);
}

export function writeMvhd(w: BoxWriter, durationMs: number): void {
  const version = versionFor(durationMs);
  w.fullBox("mvhd", version, 0, (b) => {
    writeTimes(b, version);
    b.u32(TIMESCALE);
    writeDuration(b, version, durationMs);
    b.u32(0x00010000).u16(0x0100).zeros(10); // rate 1.0, volume 1.0, reserved
    writeMatrix(b);
    b.zeros(24).u32(TRACK_ID + 1); // pre_defined, next_track_ID
  });
}

export interface TrackTiming {
  /** Presentation duration of the track in ms (tkhd; the sum of the edit list). */
  trackDurationMs: number;
  /** Sum of the sample durations in ms (mdhd). */
  mediaDurationMs: number;
  /** When the first sample starts after time 0: an empty edit of this length precedes the media. */
  emptyEditMs: number;
}

function writeTkhd(w: BoxWriter, config: VideoCodecConfig, durationMs: number): void {
  const version = versionFor(durationMs);
  w.fullBox("tkhd", version, 0x000003, (b) => {
    // flags: track enabled, in movie
    writeTimes(b, version);
    b.u32(TRACK_ID).u32(0);
    writeDuration(b, version, durationMs);
    b.zeros(8).u16(0).u16(0).u16(0).u16(0); // reserved, layer, alternate_group, volume, reserved
    writeMatrix(b);
    b.fixed16(config.width).fixed16(config.height);
  });
}

function writeEdts(w: BoxWriter, timing: TrackTiming): void {
  const version = versionFor(Math.max(timing.trackDurationMs, timing.mediaDurationMs));
  w.box("edts", (b) =>
    b.fullBox("elst", version, 0, (e) => {
      e.u32(2);
      // empty edit: nothing is shown before the first picture arrives
      if (version === 1) e.u64(timing.emptyEditMs).i64(-1);
      else e.u32(timing.emptyEditMs).i32(-1);
      e.u16(1).u16(0);
      if (version === 1) e.u64(timing.mediaDurationMs).u64(0);
      else e.u32(timing.mediaDurationMs).u32(0);
      e.u16(1).u16(0);
    }),
  );
}

function writeAvc1(w: BoxWriter, config: VideoCodecConfig): void {
  w.box("avc1", (b) => {
    b.zeros(6).u16(1); // reserved, data_reference_index
    b.u16(0).u16(0).zeros(12); // pre_defined, reserved, pre_defined
    b.u16(config.width).u16(config.height);
    b.u32(0x00480000).u32(0x00480000).u32(0); // 72 dpi, 72 dpi, reserved
    b.u16(1); // frame_count
    b.zeros(32); // compressorname (empty Pascal string)
    b.u16(0x0018).u16(0xffff); // depth, pre_defined = -1
    b.box("avcC", (c) => c.bytes(avcDecoderConfigRecord(config)));
  });
}

/**
 * Writes the trak box. `writeSampleTables` writes everything in stbl after stsd (stts, stss, stsc, stsz,
 * stco/co64), empty tables for a fragmented file.
 */
export function writeVideoTrak(
  w: BoxWriter,
  config: VideoCodecConfig,
  timing: TrackTiming,
  writeSampleTables: (w: BoxWriter) => void,
): void {
  if (!Number.isInteger(config.width) || !Number.isInteger(config.height) || config.width <= 0 || config.height <= 0) {
    throw new Error(`invalid video size ${config.width}x${config.height}`);
  }
  w.box("trak", (trak) => {
    writeTkhd(trak, config, timing.trackDurationMs);
    if (timing.emptyEditMs > 0) writeEdts(trak, timing);
    trak.box("mdia", (mdia) => {
      const version = versionFor(timing.mediaDurationMs);
      mdia.fullBox("mdhd", version, 0, (b) => {
        writeTimes(b, version);
        b.u32(TIMESCALE);
        writeDuration(b, version, timing.mediaDurationMs);
        b.u16(LANGUAGE_UND).u16(0);
      });
      mdia.fullBox("hdlr", 0, 0, (b) => b.u32(0).fourcc("vide").zeros(12).cstring("VideoHandler"));
      mdia.box("minf", (minf) => {
        minf.fullBox("vmhd", 0, 1, (b) => b.zeros(8));
        minf.box("dinf", (dinf) =>
          dinf.fullBox("dref", 0, 0, (b) => {
            b.u32(1);
            b.fullBox("url ", 0, 1); // flag 1: media data is in this file
          }),
        );
        minf.box("stbl", (stbl) => {
          stbl.fullBox("stsd", 0, 0, (b) => {
            b.u32(1);
            writeAvc1(b, config);
          });
          writeSampleTables(stbl);
        });
      });
    });
  });
}
