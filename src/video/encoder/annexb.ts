// AVCC samples → an Annex-B elementary stream (start codes, SPS/PPS before each keyframe), the form
// `ffmpeg -f h264` and most tools read directly.
import type { H264CodecConfig } from "./types.ts";
import { concatBytes } from "../../bytes.ts";

const START_CODE = Uint8Array.of(0, 0, 0, 1);

export function annexBStream(config: H264CodecConfig, samples: ReadonlyArray<{ isKey: boolean; data: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const sample of samples) {
    if (sample.isKey) for (const unit of [...config.sps, ...config.pps]) parts.push(START_CODE, unit);
    for (const unit of avccNalUnits(sample.data)) parts.push(START_CODE, unit);
  }
  return concatBytes(parts);
}

/** The NAL units of one AVCC sample. Throws if a length prefix runs past the end. */
export function avccNalUnits(sample: Uint8Array): Uint8Array[] {
  const view = new DataView(sample.buffer, sample.byteOffset, sample.byteLength);
  const units: Uint8Array[] = [];
  for (let at = 0; at < sample.length; ) {
    if (sample.length - at < 4) throw new Error(`AVCC sample: truncated length prefix at byte ${at}`);
    const length = view.getUint32(at);
    if (length === 0 || length > sample.length - at - 4) throw new Error(`AVCC sample: NAL length ${length} at byte ${at} is out of bounds`);
    units.push(sample.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return units;
}
