// RDP-era sessions through the whole server, from two real 1080p RemoteFX captures (FreeRDP shadow server →
// xfreerdp): test/fixtures/rdp/rfx-1080p, a busy desktop that never stops moving, and rfx-office-1080p, five
// minutes of office work (made on demand by scripts/rdp-captures/make_all.sh rfx-office-1080p, not committed).
// Each is streamed live by several senders at once, and imported.
import { benchImport, benchLive } from "../server.ts";
import { fixtureRecords, hasRdpFixture } from "../../test/rdp/fixtures.ts";
import type { TdpcapRecord } from "../../src/tdp/tdpcap.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const mb = (records: TdpcapRecord[]) => records.reduce((n, r) => n + r.data.length, 0) / 2 ** 20;
const lastSecond = (records: TdpcapRecord[]) => records.at(-1)!.delayMs / 1000;

interface Capture {
  /** How a row names it: the fixture and what is on its screen. */
  label: string;
  records: TdpcapRecord[];
}

/** Live rows for one capture: N senders at real time, more until one count misses real time. */
async function liveRows(out: (line?: string) => void, c: Capture, counts: number[]): Promise<number> {
  let best = 0;
  for (const sessions of counts) {
    const run = await benchLive(sessions, lastSecond(c.records), 1, 0, {}, async () => c.records);
    out(`| ${c.label} | ${sessions} | ${run.p99LagMs} | ${run.maxLagMs} | ${run.realTime ? "yes" : "no"} | ${f(run.cpuSecondsPerSessionMinute, 2)} | ${f(run.mp4MbPerSessionHour)} | ${Math.round(run.endToReadyMsMax)} |`);
    if (run.realTime) best = sessions;
    else break;
  }
  return best;
}

const section: BenchSection = {
  name: "rdp-video",
  title: "RDP-era video: live 1080p RemoteFX sessions and import",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const busy: Capture = { label: "`rfx-1080p` (busy desktop)", records: fixtureRecords("rfx-1080p") };
    const officeAll = hasRdpFixture("rfx-office-1080p") ? fixtureRecords("rfx-office-1080p") : undefined;
    // live: the first two minutes (the first full screen, then typing, reading, scrolling, window switches)
    const liveSeconds = quick ? 30 : 120;
    const officeLive = officeAll && { label: `\`rfx-office-1080p\` (office work, first ${liveSeconds} s)`, records: officeAll.filter((r) => r.delayMs <= liveSeconds * 1000) };
    out(`Two real 1920×1080 RemoteFX captures (FreeRDP shadow server → xfreerdp, as a Teleport agent records them), not to be mistaken for one another:`);
    out(`- \`rfx-1080p\` — a **busy desktop** that never stops moving (top, xclock, xeyes, a scrolling listing, typing): ${f(lastSecond(busy.records))} s, ${busy.records.length} TDP 31/29 messages, ${f(mb(busy.records))} MB (${f((mb(busy.records) * 8 * 1.048576) / lastSecond(busy.records))} Mbit/s).`);
    if (officeAll) out(`- \`rfx-office-1080p\` — **office work**: typing in an editor at about 4 characters a second, reading pauses of several seconds, scrolling a document, window switches, nothing animating by itself: ${f(lastSecond(officeAll))} s, ${officeAll.length} messages, ${f(mb(officeAll))} MB (${f((mb(officeAll) * 8 * 1.048576) / lastSecond(officeAll))} Mbit/s). Not committed (too big): made by \`scripts/rdp-captures/make_all.sh rfx-office-1080p\` (about 6 minutes; Debian packages in scripts/rdp-captures/README.md).`);
    else out("- `rfx-office-1080p` — office work: **not measured in this run**, the capture is not there (12 MB, not committed; make it with `scripts/rdp-captures/make_all.sh rfx-office-1080p`, about 6 minutes, Debian packages listed in scripts/rdp-captures/README.md).");
    out();
    out("Live: each capture streamed into the ingest WebSocket by N senders at once at real time; the server records it, decodes the RDP updates (src/rdp) onto each session's screen and encodes the video (2 encoder workers). Real time: p99 encoder lag under 2 s and every video ready. CPU is the whole process per session-minute.");
    out();
    out("| capture | sessions | p99 lag ms | max lag ms | real time | CPU-s / session-min | MP4 MB / session-h | end → MP4 ready ms |");
    out("|---|---|---|---|---|---|---|---|");
    const bestBusy = await liveRows(out, busy, quick ? [2] : [2, 4, 6, 8]);
    const bestOffice = officeLive ? await liveRows(out, officeLive, quick ? [2] : [4, 6, 8, 10, 12]) : undefined;
    out();
    out(`Most concurrent live 1080p RemoteFX sessions kept in real time in this run (target ≥ 6): **${bestBusy}** with the busy desktop \`rfx-1080p\`${bestOffice === undefined ? "; office work not measured" : `, **${bestOffice}** with office work \`rfx-office-1080p\``}.`);
    out();
    out("Import: the whole capture as a Teleport recording through `POST /v1/recordings/import` until its video is ready (2 encoder workers); CPU is the whole process.");
    out();
    out("| capture | session s | video ready after s | × real time (target ≥ 20×) | CPU-s |");
    out("|---|---|---|---|---|");
    const importCaptures: Capture[] = [busy];
    if (officeAll) importCaptures.push({ label: "`rfx-office-1080p` (office work, whole)", records: quick ? officeAll.filter((r) => r.delayMs <= 60_000) : officeAll });
    for (const c of importCaptures) {
      const imp = await benchImport(Math.round(lastSecond(c.records)), {}, c.records);
      out(`| ${c.label} | ${f(imp.sessionSeconds)} | ${f(imp.wallSeconds)} | **${f(imp.timesRealTime)}×** | ${f(imp.cpuSeconds)} |`);
    }
    return lines;
  },
};
export default section;
