// An RDP-era video judged against the RDP client's own pictures of rdp-shadow-720 (its truth PNGs).
import { readTruth, truthPicture } from "../../rdp/capture.ts";
import { lumaPsnr, picturesAt, psnr } from "./ffmpeg.ts";

export interface TruthScore {
  file: string;
  /** Luma PSNR, the check: H.264 keeps luma at full resolution. */
  db: number;
  /** RGB PSNR, for the record: 4:2:0 chroma alone caps it near 27 dB on this capture's coloured terminal text. */
  rgbDb: number;
}

/** Offsets for an import: the client's picture at t is the screen at a moment in (t − 60, t]; the video shows a change within one frame interval. */
export const IMPORT_OFFSETS = [-60, 0, 50, 100];
/**
 * Offsets for a live session: the client's picture lags as for an import (−60: at t3862 and t7316 the client had
 * not yet painted a large update that arrived 15–30 ms before t), then arrival timing, and a live encoder that falls
 * behind takes fewer frames (down to one per 2 s).
 */
export const LIVE_OFFSETS = [-60, 0, 100, 250, 500, 1000, 2000];

/** For each truth picture, the best match among the video's pictures at t + offset. */
export async function truthScores(mp4: string, offsets: number[]): Promise<TruthScore[]> {
  const frames = readTruth().frames;
  const times = frames.flatMap((frame) => offsets.map((d) => Math.max(0, frame.t_ms + d)));
  const pictures = await picturesAt(mp4, times, 1280, 720);
  const out: TruthScore[] = [];
  for (const [k, frame] of frames.entries()) {
    const expected = await truthPicture(frame.file);
    let best: TruthScore = { file: frame.file, db: -Infinity, rgbDb: -Infinity };
    for (const [j] of offsets.entries()) {
      const shown = pictures[k * offsets.length + j];
      const db = lumaPsnr(shown, expected.rgba);
      if (db > best.db) best = { file: frame.file, db, rgbDb: psnr(shown, expected.rgba) };
    }
    out.push(best);
  }
  return out;
}

export function describeScores(scores: TruthScore[]): string {
  return scores.map((s) => `${s.file} ${s.db.toFixed(1)} dB (RGB ${s.rgbDb.toFixed(1)})`).join(", ");
}

/** Every truth picture shown (luma >= 33 dB, RGB near the 4:2:0 bound): what an import must do. */
export function missedExactly(scores: TruthScore[]): TruthScore[] {
  return scores.filter((s) => s.db < 33 || s.rgbDb < 25);
}

/**
 * What a live video must do: a screen state that lasted less than the thinned frame interval may never be
 * in it, so two thirds of the truth pictures exactly and none broken (black or garbage scores ~6 dB
 * against a truth picture; the screen of a few seconds earlier, 18–22 dB). Returns what fails.
 */
export function liveShortfall(scores: TruthScore[]): string | null {
  const exact = scores.length - missedExactly(scores).length;
  if (exact < Math.ceil((scores.length * 2) / 3)) return `only ${exact} of ${scores.length} truth pictures shown exactly`;
  const broken = scores.filter((s) => s.db < 15);
  return broken.length > 0 ? `broken pictures: ${describeScores(broken)}` : null;
}
