// The encoder seam: anything that turns RGBA pictures into H.264 (AVCC samples + SPS/PPS) fits here,
// so a second backend (WebCodecs) can sit next to the WASM one.
import type { VideoCodecConfig } from "../mp4/types.ts";

/** Width, height and the parameter sets (raw NAL units, no start codes) a decoder needs first. */
export type H264CodecConfig = VideoCodecConfig;

export interface EncodedFrame {
  /** An IDR picture: decoding can start here. */
  isKey: boolean;
  /** AVCC: 4-byte big-endian length-prefixed NAL units, without SPS/PPS. */
  data: Uint8Array;
}

export interface H264Encoder {
  /** Sets the picture size (even, > 0) and returns the codec configuration. Call once. */
  configure(width: number, height: number): H264CodecConfig;
  /**
   * Encodes one picture of exactly width*height*4 bytes; `forceKey` asks for an IDR. `changedRows`,
   * when given, says which rows differ from the previous picture (the rest may be taken as unchanged).
   */
  encode(rgba: Uint8Array | Uint8ClampedArray, forceKey: boolean, changedRows?: readonly (readonly [number, number])[] | null): EncodedFrame;
  close(): void;
}

/** Something is wrong with the encoder itself (not with one picture): the session's video must stop. */
export class EncoderFailure extends Error {
  override name = "EncoderFailure";

  /** `moduleAborted`: the WASM module itself is dead, so every encoder sharing it is too. */
  constructor(
    message: string,
    readonly moduleAborted = false,
  ) {
    super(message);
  }
}
