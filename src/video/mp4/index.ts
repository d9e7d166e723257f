// The MP4 layer's public surface: writers for the live (fragmented) and final (moov-first) files, the
// reader, and the byte sources/sinks they work with (storage adapters: video/storeIo.ts).
export { avcCodecString, avcDecoderConfigRecord, parseAvcDecoderConfigRecord, sameCodecConfig } from "./avc.ts";
export { finalMp4Layout, writeFinalMp4, type FinalMp4Input, type FinalMp4Result } from "./final.ts";
export { encodeMediaFragment, initSegment, mediaFragment, type EncodedFragment } from "./fragmented.ts";
export {
  bytesReader,
  fileReader,
  fileSink,
  memorySink,
  type ByteSink,
  type RangeReader,
} from "./io.ts";
export { LIVE_PROVISIONAL_DURATION_MS, STORED_PROVISIONAL_DURATION_MS } from "./liveTiming.ts";
export {
  containsIdrSlice,
  readFragmentedMp4,
  readMp4Samples,
  type FragmentedMp4,
  type Mp4SampleInfo,
  type Mp4Samples,
  type SizedSource,
} from "./reader.ts";
export { TIMESCALE, type EncodedSample, type FragmentSample, type StoredSample, type VideoCodecConfig } from "./types.ts";
