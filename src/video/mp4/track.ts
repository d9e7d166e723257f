// The H.264 video track of a moov box: its id, timescale, size and parameter sets, and the fragment defaults
// (trex) of a fragmented file. Pure, like the rest of mp4/: the server's reader and the player both use it.
import { parseAvcDecoderConfigRecord } from "./avc.ts";
import { type BoxHeader, childBoxes, cursorFor, findBox, findBoxes, readBoxHeader } from "./boxReader.ts";
import type { VideoCodecConfig } from "./types.ts";

export interface VideoTrack {
  trackId: number;
  timescale: number;
  config: VideoCodecConfig;
  /** The sample entry's type: avc1 (parameter sets in avcC only) or avc3 (also in band). */
  sampleEntry: "avc1" | "avc3";
  /** The trak box, indices into the moov bytes it was parsed from. */
  trak: BoxHeader;
}

export function body(box: BoxHeader): { start: number; end: number } {
  return { start: box.start + box.headerSize, end: box.end };
}

export function requireBox(bytes: Uint8Array, path: string[], scope: BoxHeader, what: string): BoxHeader {
  const found = findBox(bytes, path, body(scope).start, body(scope).end);
  if (!found) throw new Error(`${what}: missing ${path.join("/")}`);
  return found;
}

/** Finds the first H.264 video track in a moov box (`moovBytes` holds the whole moov, from index 0). */
export function readVideoTrack(moovBytes: Uint8Array): VideoTrack {
  const moov = readBoxHeader(moovBytes, 0);
  if (!moov || moov.type !== "moov") throw new Error("not a moov box");
  for (const trak of findBoxes(moovBytes, "trak", body(moov).start, body(moov).end)) {
    const hdlr = findBox(moovBytes, ["mdia", "hdlr"], body(trak).start, body(trak).end);
    if (!hdlr) continue;
    const handler = cursorFor(moovBytes, hdlr);
    handler.skip(8); // version/flags, pre_defined
    if (String.fromCharCode(...handler.rest().subarray(0, 4)) !== "vide") continue;

    const tkhd = cursorFor(moovBytes, requireBox(moovBytes, ["tkhd"], trak, "trak"));
    const { version: tkhdVersion } = tkhd.fullBoxHeader();
    tkhd.skip(tkhdVersion === 1 ? 16 : 8);
    const trackId = tkhd.u32();

    const mdhd = cursorFor(moovBytes, requireBox(moovBytes, ["mdia", "mdhd"], trak, "trak"));
    const { version: mdhdVersion } = mdhd.fullBoxHeader();
    mdhd.skip(mdhdVersion === 1 ? 16 : 8);
    const timescale = mdhd.u32();

    const stsd = requireBox(moovBytes, ["mdia", "minf", "stbl", "stsd"], trak, "trak");
    const entry = childBoxes(moovBytes, body(stsd).start + 8, stsd.end)[0];
    if (!entry || (entry.type !== "avc1" && entry.type !== "avc3")) {
      throw new Error(`unsupported video sample entry "${entry?.type ?? "none"}" (only H.264 avc1 is read)`);
    }
    const visual = cursorFor(moovBytes, entry);
    visual.skip(24);
    const width = visual.u16();
    const height = visual.u16();
    const avcC = findBox(moovBytes, ["avcC"], body(entry).start + 78, entry.end);
    if (!avcC) throw new Error("avc1 sample entry without avcC");
    const record = parseAvcDecoderConfigRecord(moovBytes.subarray(body(avcC).start, avcC.end));
    if (record.lengthSize !== 4) throw new Error(`unsupported NAL length size ${record.lengthSize} (expected 4)`);
    return { trackId, timescale, trak, sampleEntry: entry.type, config: { width, height, sps: record.sps, pps: record.pps } };
  }
  throw new Error("no video track");
}

/** Sample defaults of fragments (mvex/trex) for one track. */
export interface TrackDefaults {
  duration: number;
  size: number;
  flags: number;
}

/** The trex defaults of `trackId` in a moov (`moovBytes` holds the whole moov, from index 0); throws without mvex. */
export function readTrackDefaults(moovBytes: Uint8Array, trackId: number): TrackDefaults {
  const mvex = findBox(moovBytes, ["moov", "mvex"]);
  if (!mvex) throw new Error("moov without mvex: not a fragmented MP4");
  let defaults: TrackDefaults = { duration: 0, size: 0, flags: 0 };
  for (const trexBox of findBoxes(moovBytes, "trex", body(mvex).start, body(mvex).end)) {
    const c = cursorFor(moovBytes, trexBox);
    c.fullBoxHeader();
    if (c.u32() !== trackId) continue;
    c.u32(); // default_sample_description_index
    defaults = { duration: c.u32(), size: c.u32(), flags: c.u32() };
  }
  return defaults;
}
