// The encoder against ffmpeg libx264 on the same frames, and the pool's real-time capacity on the sample.
import { benchVideo } from "../video.ts";
import { SAMPLE_CAPTURE } from "../../test/support/corpusPath.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const section: BenchSection = {
  name: "encoder",
  title: "Encoder vs ffmpeg libx264 (ultrafast, 1 thread), same raw frames",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const video = await benchVideo({ capturePath: SAMPLE_CAPTURE, log: () => undefined, sessionCounts: quick ? [2, 4] : [2, 4, 6, 8, 10] });
    out("| clip | size | frames | ours fps | x264 fps | ours/x264 speed | ours KB | x264 KB |");
    out("|---|---|---|---|---|---|---|---|");
    for (const e of video.encoders) {
      out(`| ${e.clip} | ${e.width}×${e.height} | ${e.frames} | ${f(e.oursFps)} | ${f(e.x264Fps)} | ${f(e.ratio, 2)} | ${Math.round(e.oursBytes / 1024)} | ${Math.round(e.x264Bytes / 1024)} |`);
    }
    out();
    out("Encoder pool alone on the 720p sample replayed at real time (encode lag p99):");
    out();
    out("| sessions | p99 lag ms | max lag ms | frames/session-s | dropped | real time |");
    out("|---|---|---|---|---|---|");
    for (const c of video.concurrency) {
      out(`| ${c.sessions} | ${c.p99LagMs} | ${c.maxLagMs} | ${f(c.framesPerSessionSecond, 2)} | ${c.droppedFrames} | ${c.sustained ? "yes" : "no"} |`);
    }
    return lines;
  },
};
export default section;
