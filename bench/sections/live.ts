// The whole server with synthetic 1080p office desktops at real time.
import { benchLive, type LiveRun } from "../server.ts";
import { f, Lines, type BenchSection } from "./common.ts";

function liveRow(r: LiveRun & { rssMinute1Mb: number }): string {
  return `| ${r.sessions} | ${Math.round(r.sessionSeconds / r.sessions)} | ${r.p99LagMs} | ${r.maxLagMs} | ${r.realTime ? "yes" : "no"} | ${f(r.cpuSecondsPerSessionMinute, 2)} | ${f(r.mp4MbPerSessionHour)} | ${f(r.recordingMbPerSessionHour)} | ${f(r.rssMinute1Mb)} | ${Math.round(r.endToReadyMsMax)} |`;
}

const section: BenchSection = {
  name: "live",
  title: "Whole server: live 1920×1080 office sessions at real time",
  async run({ quick }) {
    const { lines, out } = new Lines();
    out("`bench/server.ts`: synthetic office desktops (typing, scrolling, idle, one resize) stream into the ingest WebSocket; the server records them and encodes their video (2 encoder workers). CPU is the whole process (recording, HTTP, workers) per session-minute.");
    out();
    out("| sessions | s each | p99 lag ms | max lag ms | real time | CPU-s / session-min | MP4 MB / session-h | recording MB / session-h | RSS MB / session (min 1) | end → MP4 ready ms |");
    out("|---|---|---|---|---|---|---|---|---|---|");
    const liveDuration = quick ? 20 : 75;
    let best = 0;
    for (const sessions of quick ? [2] : [4, 6, 8, 10, 12, 14]) {
      const run = await benchLive(sessions, liveDuration, 1);
      out(liveRow(run));
      if (run.realTime) best = sessions;
      else break;
    }
    out();
    out(`Most concurrent live 1080p office sessions kept in real time in this run: **${best}** (targets: ≥ 6, and ≥ 12 with the native encoder).`);
    return lines;
  },
};
export default section;
