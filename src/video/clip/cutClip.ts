// Cuts [fromMs, toMs) out of a recording's video as a standard MP4 (moov first, times from 0): the
// partial group of pictures at the start encoded again (reencode.ts), everything after copied byte for
// byte, and the clip's origin written into the moov as text tags.
import { sameCodecConfig } from "../mp4/avc.ts";
import { finalMp4Layout, writeFinalMp4, type FinalMp4Result } from "../mp4/final.ts";
import type { ByteSink, RangeReader } from "../mp4/io.ts";
import type { StoredSample, VideoCodecConfig } from "../mp4/types.ts";
import { planClip, type ClipPlan } from "./plan.ts";
import { reencodePictures } from "./reencode.ts";
import type { VideoIndex } from "./source.ts";

export interface ClipRequest {
  fromMs: number;
  toMs: number;
  /** Text tags for the clip's moov (key, value). */
  tags: ReadonlyArray<readonly [string, string]>;
}

export interface PreparedClip {
  /** Exact size of the MP4 `write` produces. */
  bytes: number;
  durationMs: number;
  /** Pictures encoded again / copied. */
  reencoded: number;
  copied: number;
  /** Writes the MP4 to `sink` and closes it (aborts it on failure). */
  write(sink: ByteSink): Promise<FinalMp4Result>;
}

/** Where bytes made here (not in the recording's file) live in the address space the MP4 writer reads. */
const MADE_HERE_BASE = 2 ** 50;

/** AVCC: each NAL unit after its 4-byte length. */
function avccOf(units: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(units.reduce((n, u) => n + 4 + u.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const unit of units) {
    view.setUint32(at, unit.length);
    out.set(unit, at + 4);
    at += 4 + unit.length;
  }
  return out;
}

/** Everything about the clip but its sample bytes: plans, re-encodes the start, lays the file out. */
export async function prepareClip(video: VideoIndex, request: ClipRequest): Promise<PreparedClip> {
  const plan: ClipPlan = planClip(video.samples, request.fromMs, request.toMs);
  const made: Uint8Array[] = [];
  let madeBytes = 0;
  const placeMade = (data: Uint8Array): number => {
    made.push(data);
    madeBytes += data.length;
    return MADE_HERE_BASE + madeBytes - data.length;
  };

  const samples: StoredSample[] = [];
  let config: VideoCodecConfig = video.config;
  if (plan.reencode.length > 0) {
    const result = await reencodePictures({ config: video.config, read: video.read, decode: plan.decode, pictures: plan.reencode });
    config = result.config;
    result.samples.forEach((s, k) => {
      samples.push({ offset: placeMade(s.data), size: s.data.length, dtsMs: s.dtsMs, durationMs: plan.reencode[k].durationMs, isKey: s.isKey });
    });
  }
  for (const c of plan.copy) {
    samples.push({ offset: c.source.offset, size: c.source.size, dtsMs: c.dtsMs, durationMs: c.durationMs, isKey: c.source.isKey });
  }

  // The file carries one avcC. When the re-encoded start has other parameter sets than the recording,
  // the recording's go in-band at the first copied keyframe, so the decoder switches back there.
  const firstCopied = plan.reencode.length;
  if (firstCopied > 0 && firstCopied < samples.length && !sameCodecConfig(config, video.config)) {
    const copied = samples[firstCopied];
    const original = await video.read(copied.offset, copied.offset + copied.size);
    const parameterSets = avccOf([...video.config.sps, ...video.config.pps]);
    const data = new Uint8Array(parameterSets.length + original.length);
    data.set(parameterSets, 0);
    data.set(original, parameterSets.length);
    samples[firstCopied] = { ...copied, offset: placeMade(data), size: data.length };
  }

  const layout = finalMp4Layout(config, samples, request.tags);
  const read: RangeReader = async (start, end) => (start >= MADE_HERE_BASE ? readMade(made, start - MADE_HERE_BASE, end - MADE_HERE_BASE) : video.read(start, end));
  return {
    bytes: layout.head.length + layout.payloadBytes,
    durationMs: plan.durationMs,
    reencoded: plan.reencode.length,
    copied: plan.copy.length,
    write: (sink) => writeFinalMp4({ config, samples, read, metadata: request.tags }, sink),
  };
}

/** Bytes [start, end) of the made-here region (the pieces laid end to end). */
function readMade(pieces: Uint8Array[], start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  let pieceStart = 0;
  for (const piece of pieces) {
    const pieceEnd = pieceStart + piece.length;
    if (pieceEnd > start && pieceStart < end) {
      const from = Math.max(start, pieceStart);
      const to = Math.min(end, pieceEnd);
      out.set(piece.subarray(from - pieceStart, to - pieceStart), from - start);
    }
    pieceStart = pieceEnd;
  }
  return out;
}
