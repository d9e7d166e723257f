// A recording's video as the clip cutter needs it: codec config, every sample with its place in the file
// and its time on the session timeline (ms), and a reader for the sample bytes. Reads only the moov of a
// finished (moov-first) MP4, and the fragment headers of a live fragmented one.
import { cursorFor, findBox, readBoxHeader } from "../mp4/boxReader.ts";
import type { RangeReader } from "../mp4/io.ts";
import { readFragmentedMp4, readMp4Samples } from "../mp4/reader.ts";
import type { StoredSample, VideoCodecConfig } from "../mp4/types.ts";

export interface VideoIndex {
  config: VideoCodecConfig;
  /** Decode order; times on the session timeline. */
  samples: StoredSample[];
  read: RangeReader;
}

/** Bytes read at a time while looking for the moov. */
const HEAD_READ_BYTES = 64 * 1024;

/** The index of a finished, moov-first MP4 of `size` bytes. */
export async function finalVideoIndex(read: RangeReader, size: number): Promise<VideoIndex> {
  let head = await read(0, Math.min(size, HEAD_READ_BYTES));
  let at = 0;
  for (;;) {
    const box = readBoxHeader(head, at, head.length);
    if (!box) throw new Error("MP4 ends before its moov");
    if (box.type === "moov") {
      if (box.end > size) throw new Error("MP4 ends inside its moov");
      if (box.end > head.length) head = await read(0, box.end);
      break;
    }
    if (box.type === "mdat") throw new Error("the MP4's moov is not before its media data");
    at = box.end;
    if (at + 16 > head.length) head = await read(0, Math.min(size, at + HEAD_READ_BYTES));
  }
  const parsed = readMp4Samples(head);
  const toMs = (t: number) => Math.round((t * 1000) / parsed.timescale);
  const shiftMs = emptyEditMs(head);
  const samples = parsed.samples.map((s): StoredSample => ({
    offset: s.offset,
    size: s.size,
    isKey: s.isKey,
    dtsMs: shiftMs + toMs(s.dts),
    durationMs: toMs(s.dts + s.duration) - toMs(s.dts),
  }));
  return { config: { width: parsed.width, height: parsed.height, sps: parsed.sps, pps: parsed.pps }, samples, read };
}

/** The index of a (possibly growing) fragmented MP4: the complete fragments stored so far. */
export async function fragmentedVideoIndex(read: RangeReader, size: number): Promise<VideoIndex> {
  const parsed = await readFragmentedMp4({ read, size });
  return { config: parsed.config, samples: parsed.samples, read };
}

/**
 * How long the video track's edit list shows nothing before the first sample (our final MP4 starts its
 * media at the first picture and says when that is with an empty edit, in movie timescale units).
 */
function emptyEditMs(head: Uint8Array): number {
  const moov = findBox(head, ["moov"]);
  if (!moov) return 0;
  const mvhdBox = findBox(head, ["mvhd"], moov.start + moov.headerSize, moov.end);
  const trak = findBox(head, ["trak"], moov.start + moov.headerSize, moov.end);
  const elstBox = trak ? findBox(head, ["edts", "elst"], trak.start + trak.headerSize, trak.end) : null;
  if (!mvhdBox || !elstBox) return 0;
  const mvhd = cursorFor(head, mvhdBox);
  mvhd.skip(mvhd.fullBoxHeader().version === 1 ? 16 : 8);
  const movieTimescale = mvhd.u32();
  const elst = cursorFor(head, elstBox);
  const { version } = elst.fullBoxHeader();
  let emptyUnits = 0;
  for (let n = elst.u32(); n > 0; n--) {
    const duration = version === 1 ? elst.u64() : elst.u32();
    // media_time -1 marks an empty edit (all ones in the 64-bit form too)
    const mediaTime = version === 1 ? (elst.u32() === 0xffffffff && elst.u32() === 0xffffffff ? -1 : 0) : elst.i32();
    elst.skip(4); // media_rate
    if (mediaTime !== -1) break;
    emptyUnits += duration;
  }
  return Math.round((emptyUnits * 1000) / movieTimescale);
}
