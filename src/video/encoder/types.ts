// The encoder seam: anything that turns RGBA pictures into H.264 (AVCC samples + SPS/PPS) fits here.
// It follows the shape of WebCodecs' VideoEncoder: pictures go in with their time, frames come out
// through an output sink as soon as each is ready (possibly after `encode` has returned), and
// `flush` waits for all of them. A backend that encodes synchronously simply calls the sink inside
// `encode`.
import type { VideoCodecConfig } from "../mp4/types.ts";
import type { RowSpan } from "../compose/rowSpan.ts";

/** Width, height and the parameter sets (raw NAL units, no start codes) a decoder needs first. */
export type H264CodecConfig = VideoCodecConfig;

/** Which implementation encodes: the native WebCodecs binding, or the pure-WASM fallback. */
export type EncoderBackend = "webcodecs" | "wasm";

export interface EncodedFrame {
  /** The time the picture was given with (session ms), passed through untouched. */
  ptsMs: number;
  /** An IDR picture: decoding can start here. */
  isKey: boolean;
  /** AVCC: 4-byte big-endian length-prefixed NAL units, without SPS/PPS. */
  data: Uint8Array;
}

/** Where an encoder delivers its results, in this order: config once, then frames in presentation order. */
export interface EncoderOutput {
  /** The codec configuration; called once, before the first frame. */
  config(config: H264CodecConfig): void;
  frame(frame: EncodedFrame): void;
}

export interface EncodeRequest {
  /** The picture's time, session ms; strictly increasing. */
  ptsMs: number;
  /** Ask for an IDR: this frame must come out as a keyframe. */
  forceKey: boolean;
  /** Rows that differ from the previous picture (the rest may be taken as unchanged); null = all. */
  changedRows?: readonly RowSpan[] | null;
}

export interface H264Encoder {
  readonly backend: EncoderBackend;
  /** Sets the picture size (even, > 0) and where results go. Call once. */
  configure(width: number, height: number, output: EncoderOutput): Promise<void>;
  /**
   * Submits one picture of exactly width*height*4 bytes. Resolves once the picture has been taken
   * (the buffer may be reused) and the encoder has room for more; rejects with an EncoderFailure if
   * the encoder broke (also for a failure that happened since the previous call).
   */
  encode(rgba: Uint8Array | Uint8ClampedArray, request: EncodeRequest): Promise<void>;
  /** Resolves when every submitted picture has come out through the output. */
  flush(): Promise<void>;
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
