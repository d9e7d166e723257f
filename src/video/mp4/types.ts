// Shapes shared by the MP4 writers, the reader and the live sink. Times on the session timeline are in ms.

/** What the encoder hands over once per session: raw NAL units without start codes. */
export interface VideoCodecConfig {
  width: number;
  height: number;
  sps: Uint8Array[];
  pps: Uint8Array[];
}

/** One encoded picture: AVCC (4-byte big-endian length-prefixed NAL units, no SPS/PPS). */
export interface EncodedSample {
  /** Session time in ms; strictly increasing within a session. */
  ptsMs: number;
  isKey: boolean;
  data: Uint8Array;
}

/** A sample about to go into a media fragment. */
export interface FragmentSample {
  data: Uint8Array;
  isKey: boolean;
  dtsMs: number;
  durationMs: number;
}

/** A sample that already sits in some file: where its bytes are and when it plays. */
export interface StoredSample {
  /** Byte offset of the sample data in its source file. */
  offset: number;
  size: number;
  dtsMs: number;
  durationMs: number;
  isKey: boolean;
}

/** Our files use a 1 ms timescale: session timestamps are integers in ms, so every time is exact. */
export const TIMESCALE = 1000;
