// The H.264 backends (native WebCodecs, WASM fallback) against ffmpeg libx264 on the same pictures,
// then what they mean for the server: import speed and where its time goes, CPU per live
// session-minute, and how many live 1080p office sessions stay real time.
import { encodeOurs, encodeX264, measurePsnr, scratchDir, x264AtCrfs, type Clip, type ComposeTimes, type EncodeRun, type X264Settings } from "../encoderQuality.ts";
import { benchImport, benchLive, officeCapture } from "../server.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import type { EncoderBackend } from "../../src/video/encoder/types.ts";
import { SAMPLE_CAPTURE } from "../../test/support/corpusPath.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const BACKENDS: EncoderBackend[] = ["webcodecs", "wasm"];
/** libx264 veryfast at these CRFs brackets our quality; bytes at equal PSNR are interpolated between them. */
const X264_CRFS = [16, 19, 22, 25, 28, 31];
/**
 * libx264 as the native binding runs it (read from the SEI x264 writes into its streams): if this lands on our
 * bytes and PSNR, the gap to veryfast is those fixed settings, not the way we drive the binding.
 */
const BINDING_SETTINGS: X264Settings = { label: "libx264 superfast zerolatency crf 23, 2 threads (the binding's own settings)", options: ["-preset", "superfast", "-tune", "zerolatency", "-crf", "23", "-threads", "2"] };
/** The CPU-s per live session-minute measured before the native backend (README, issue #11). */
const OLD_CPU_PER_SESSION_MINUTE = 4.8;

interface Measured extends EncodeRun {
  psnrDb: number;
  minPsnrDb: number;
}

/** libx264 bytes at `db` PSNR, interpolated (log bytes, linear dB) between the two runs around it. */
function x264BytesAt(db: number, runs: Measured[]): number | null {
  const sorted = [...runs].sort((a, b) => a.psnrDb - b.psnrDb);
  for (let i = 1; i < sorted.length; i++) {
    const lo = sorted[i - 1];
    const hi = sorted[i];
    if (db >= lo.psnrDb && db <= hi.psnrDb) {
      const t = hi.psnrDb === lo.psnrDb ? 0 : (db - lo.psnrDb) / (hi.psnrDb - lo.psnrDb);
      return Math.exp(Math.log(lo.bytes) + t * (Math.log(hi.bytes) - Math.log(lo.bytes)));
    }
  }
  return null;
}

async function compareOnClip(clip: Clip, out: (line?: string) => void, breakdown: Map<EncoderBackend, ComposeTimes & { encodeMs: number; frames: number }>): Promise<void> {
  const { dir, dispose } = scratchDir();
  try {
    const ours: EncodeRun[] = [];
    let forced: number[] = [];
    for (const backend of BACKENDS) {
      const times: ComposeTimes = { applyMs: 0, readbackMs: 0 };
      const run = await encodeOurs(clip, backend, dir, times);
      forced = run.forced;
      ours.push(run);
      breakdown.set(backend, { applyMs: times.applyMs, readbackMs: times.readbackMs, encodeMs: run.cpuSeconds * 1000, frames: run.frames });
    }
    const peers = await encodeX264(clip, [...x264AtCrfs("veryfast", X264_CRFS), BINDING_SETTINGS], dir, forced);
    const all = [...ours, ...peers];
    const psnr = await measurePsnr(clip, all.map((r) => (r as EncodeRun & { path: string }).path));
    const measured: Measured[] = all.map((r, i) => ({ ...r, psnrDb: psnr[i].mean, minPsnrDb: psnr[i].min }));
    // The veryfast runs are the curve the others are read against.
    const x264 = measured.slice(ours.length, ours.length + X264_CRFS.length);
    out(`**${clip.name}** (${clip.width}×${clip.height}, ${measured[0].frames} frames as the import scheduler takes them, ${measured[0].keyframes} forced keyframes):`);
    out();
    out("| encoder | KB | mean PSNR dB | min PSNR dB | encoder CPU-s | frames / CPU-s | bytes vs libx264 veryfast at equal PSNR |");
    out("|---|---|---|---|---|---|---|");
    for (const r of measured) {
      const isCurve = x264.includes(r);
      const peer = isCurve ? null : x264BytesAt(r.psnrDb, x264);
      const ratio = isCurve ? "" : peer ? `**${f(r.bytes / peer, 3)}×**` : "outside the libx264 runs' range";
      out(`| ${r.label} | ${Math.round(r.bytes / 1024)} | ${f(r.psnrDb, 2)} | ${f(r.minPsnrDb, 2)} | ${f(r.cpuSeconds, 2)} | ${f(r.fps)} | ${ratio} |`);
    }
    out();
  } finally {
    dispose();
  }
}

const section: BenchSection = {
  name: "encoder",
  title: "H.264 encoders: native WebCodecs and the WASM fallback vs ffmpeg libx264",
  async run({ quick }) {
    const { lines, out } = new Lines();
    out("`bench/encoderQuality.ts`: the pictures the import scheduler takes from a capture are composed once per encoder and fed to each as the same I420 (libx264 through `ffmpeg -preset veryfast -threads 1 -bf 0`, keyframes forced where ours were; one more libx264 run at the settings the native binding uses, to tell its fixed settings from the way we drive it). PSNR: every decoded frame (RGB) against the composed picture. Encoder CPU: process CPU while each picture is encoded (its own threads included; RGBA→I420 included for ours), ffmpeg's own CPU for libx264.");
    out();
    const officeSeconds = quick ? 20 : 60;
    const clips: Clip[] = [
      { name: `office 1080p (synthetic, ${officeSeconds} s)`, width: 1920, height: 1080, records: (await officeCapture(7, officeSeconds)) },
      { name: "sample-720 (real capture)", width: 1280, height: 720, records: readTdpcap(new Uint8Array(await Bun.file(SAMPLE_CAPTURE).arrayBuffer())) },
    ];
    const officeBreakdown = new Map<EncoderBackend, ComposeTimes & { encodeMs: number; frames: number }>();
    for (const [i, clip] of clips.entries()) await compareOnClip(clip, out, i === 0 ? officeBreakdown : new Map());

    out("Where one import's time goes on the 1080p office clip (CPU ms on one thread; the compositor's draws are deferred and paid at readback):");
    out();
    out("| backend | TDP + PNG tile decode, queue draws | draw + read back | RGBA→I420 + encode | encode share |");
    out("|---|---|---|---|---|");
    for (const [backend, t] of officeBreakdown) {
      const total = t.applyMs + t.readbackMs + t.encodeMs;
      out(`| ${backend} | ${Math.round(t.applyMs)} | ${Math.round(t.readbackMs)} | ${Math.round(t.encodeMs)} | ${f((100 * t.encodeMs) / total)} % |`);
    }
    out();

    const importSeconds = quick ? 30 : 120;
    out(`Import of a ${importSeconds} s 1080p office recording (\`POST /v1/recordings/import\`, 2 encoder workers, the import split across them), until the video is ready:`);
    out();
    out("| backend | wall s | × real time (target ≥ 30×) | CPU-s | MP4 MB |");
    out("|---|---|---|---|---|");
    for (const backend of BACKENDS) {
      const imp = await benchImport(importSeconds, { DESKREEL_VIDEO_ENCODER: backend });
      out(`| ${backend} | ${f(imp.wallSeconds)} | **${f(imp.timesRealTime)}×** | ${f(imp.cpuSeconds)} | ${f(imp.mp4Bytes / 1024 / 1024, 2)} |`);
    }
    out();

    const liveSeconds = quick ? 20 : 60;
    out(`Live 1080p office sessions streamed at real time into the whole server (${liveSeconds} s each, 2 encoder workers); CPU is the whole process per session-minute (before this backend: ${OLD_CPU_PER_SESSION_MINUTE}–6.1 CPU-s, target ≤ ${f(OLD_CPU_PER_SESSION_MINUTE / 2)}):`);
    out();
    out("| backend | sessions | p99 lag ms | max lag ms | real time | CPU-s / session-min | MP4 MB / session-h |");
    out("|---|---|---|---|---|---|---|");
    const counts: Record<EncoderBackend, number[]> = quick ? { webcodecs: [2], wasm: [2] } : { webcodecs: [12, 16], wasm: [4, 6] };
    const best: Record<string, number> = {};
    for (const backend of BACKENDS) {
      best[backend] = 0;
      for (const sessions of counts[backend]) {
        const run = await benchLive(sessions, liveSeconds, 1, 0, { DESKREEL_VIDEO_ENCODER: backend });
        out(`| ${backend} | ${sessions} | ${run.p99LagMs} | ${run.maxLagMs} | ${run.realTime ? "yes" : "no"} | ${f(run.cpuSecondsPerSessionMinute, 2)} | ${f(run.mp4MbPerSessionHour)} |`);
        if (!run.realTime) break;
        best[backend] = sessions;
      }
    }
    out();
    out(`Most concurrent live 1080p office sessions kept in real time in this run (target ≥ 12): webcodecs **${best.webcodecs}**, wasm **${best.wasm}** (counts tried: webcodecs ${counts.webcodecs.join(", ")}; wasm ${counts.wasm.join(", ")}).`);
    return lines;
  },
};
export default section;
