// The samples of one track in a movie fragment (moof): where each sample's bytes are, its decode time and
// duration in track ticks, and whether it is a keyframe. Shared by the server's reader and the live player.
import { cursorFor, findBox, findBoxes, readBoxHeader } from "./boxReader.ts";
import { body, type TrackDefaults } from "./track.ts";

const SAMPLE_IS_NON_SYNC = 0x00010000;

export interface ParsedFragmentSample {
  offset: number;
  size: number;
  dts: number;
  duration: number;
  isKey: boolean;
}

/** The samples of our track in one moof (`moof` holds the whole box from index 0; it starts at `moofStart`). */
export function readMoof(moof: Uint8Array, moofStart: number, trackId: number, defaults: TrackDefaults): ParsedFragmentSample[] {
  const out: ParsedFragmentSample[] = [];
  const moofBox = readBoxHeader(moof, 0);
  if (!moofBox) return out;
  for (const traf of findBoxes(moof, "traf", body(moofBox).start, body(moofBox).end)) {
    const tfhdBox = findBox(moof, ["tfhd"], body(traf).start, body(traf).end);
    if (!tfhdBox) throw new Error("traf without tfhd");
    const tfhd = cursorFor(moof, tfhdBox);
    const { flags: tfhdFlags } = tfhd.fullBoxHeader();
    if (tfhd.u32() !== trackId) continue;
    let base = moofStart; // default-base-is-moof, and the rule for the first traf without a base offset
    if (tfhdFlags & 0x000001) base = tfhd.u64();
    if (tfhdFlags & 0x000002) tfhd.u32();
    const duration = tfhdFlags & 0x000008 ? tfhd.u32() : defaults.duration;
    const size = tfhdFlags & 0x000010 ? tfhd.u32() : defaults.size;
    const flags = tfhdFlags & 0x000020 ? tfhd.u32() : defaults.flags;

    const tfdtBox = findBox(moof, ["tfdt"], body(traf).start, body(traf).end);
    if (!tfdtBox) throw new Error("traf without tfdt");
    const tfdt = cursorFor(moof, tfdtBox);
    let dts = tfdt.fullBoxHeader().version === 1 ? tfdt.u64() : tfdt.u32();

    for (const trunBox of findBoxes(moof, "trun", body(traf).start, body(traf).end)) {
      const trun = cursorFor(moof, trunBox);
      const { flags: trunFlags } = trun.fullBoxHeader();
      const count = trun.u32();
      let dataAt = base + (trunFlags & 0x000001 ? trun.i32() : 0);
      const firstFlags = trunFlags & 0x000004 ? trun.u32() : null;
      for (let i = 0; i < count; i++) {
        const sampleDuration = trunFlags & 0x000100 ? trun.u32() : duration;
        const sampleSize = trunFlags & 0x000200 ? trun.u32() : size;
        let sampleFlags = trunFlags & 0x000400 ? trun.u32() : flags;
        if (i === 0 && firstFlags !== null) sampleFlags = firstFlags;
        if (trunFlags & 0x000800) trun.u32(); // composition offset: Baseline has no reordering
        out.push({ offset: dataAt, size: sampleSize, dts, duration: sampleDuration, isKey: !(sampleFlags & SAMPLE_IS_NON_SYNC) });
        dataAt += sampleSize;
        dts += sampleDuration;
      }
      base = dataAt;
    }
  }
  return out;
}

/** The samples of `trackId` in every moof of `bytes` (one or more moof+mdat pairs; offsets relative to `bytes`). */
export function fragmentSamples(bytes: Uint8Array, trackId: number, defaults: TrackDefaults): ParsedFragmentSample[] {
  const out: ParsedFragmentSample[] = [];
  for (const box of findBoxes(bytes, "moof", 0, bytes.length)) out.push(...readMoof(bytes.subarray(box.start, box.end), box.start, trackId, defaults));
  return out;
}
