// RDP-era sessions through the whole server: a real 1080p RemoteFX capture (test/fixtures/rdp/rfx-1080p,
// FreeRDP shadow server → xfreerdp) streamed live by several senders at once, and imported.
import { benchImport, benchLive } from "../server.ts";
import { fixtureRecords } from "../../test/rdp/fixtures.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const section: BenchSection = {
  name: "rdp-video",
  title: "RDP-era video: live 1080p RemoteFX sessions and import",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const records = fixtureRecords("rfx-1080p");
    const seconds = records.at(-1)!.delayMs / 1000;
    out(`The real 1920×1080 RemoteFX capture \`rfx-1080p\` (${f(seconds)} s, ${records.length} TDP 31/29 messages, ${f(records.reduce((n, r) => n + r.data.length, 0) / 2 ** 20)} MB) streamed into the ingest WebSocket by N senders at once at real time; the server records it, decodes the RDP updates (src/rdp) onto each session's screen and encodes the video (2 encoder workers). Real time: p99 encoder lag under 2 s and every video ready.`);
    out();
    out("| sessions | p99 lag ms | max lag ms | real time | CPU-s / session-min | MP4 MB / session-h | end → MP4 ready ms |");
    out("|---|---|---|---|---|---|---|");
    let best = 0;
    for (const sessions of quick ? [2] : [2, 4, 6, 8]) {
      const run = await benchLive(sessions, seconds, 1, 0, {}, async () => records);
      out(`| ${sessions} | ${run.p99LagMs} | ${run.maxLagMs} | ${run.realTime ? "yes" : "no"} | ${f(run.cpuSecondsPerSessionMinute, 2)} | ${f(run.mp4MbPerSessionHour)} | ${Math.round(run.endToReadyMsMax)} |`);
      if (run.realTime) best = sessions;
      else break;
    }
    out();
    out(`Most concurrent live 1080p RemoteFX sessions kept in real time in this run: **${best}** (target ≥ 6).`);
    out();
    const imp = await benchImport(Math.round(seconds), {}, records);
    out(`The same capture imported with \`POST /v1/recordings/import\`: ${f(imp.sessionSeconds)} s of session, video ready after ${f(imp.wallSeconds)} s = **${f(imp.timesRealTime)}× real time** (target ≥ 20×), ${f(imp.cpuSeconds)} CPU-s.`);
    return lines;
  },
};
export default section;
