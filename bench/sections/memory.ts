// Memory over a long session: 30 minutes of session time replayed at 10× (3 minutes of wall time).
import { benchLive } from "../server.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const section: BenchSection = {
  name: "memory",
  title: "Memory over a 30-minute session, and time to a finished MP4",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const longMinutes = quick ? 3 : 30;
    const long = await benchLive(1, longMinutes * 60, 10, quick ? 1 : 5);
    out(`One 1080p office session of ${longMinutes} minutes replayed at 10× speed (the encoder drops frames to keep up, which does not change what memory holds per session). Memory of the whole server process above its start, sampled at session minutes: the JS heap after a full collection (what the session really keeps) and RSS (which also moves with the allocator and the two encoder workers):`);
    out();
    out("| session minute | JS heap MB (after full GC) | RSS MB |");
    out("|---|---|---|");
    for (const m of long.memory) out(`| ${m.minute} | ${f(m.heapMb)} | ${f(m.rssMb)} |`);
    out();
    out(`- RSS growth at the end of the ${longMinutes} minutes: ${f(long.rssEndMb)} MB (target: under 150 MB per live session, and flat).`);
    out(`- Session end → complete, seekable MP4 listed as ready: ${Math.round(long.endToReadyMsMax)} ms for ${longMinutes} minutes of session (target < 1 s).`);
    out(`- MP4: ${f(long.mp4MbPerSessionHour)} MB per session-hour (at the reduced frame rate of a 10× replay).`);
    return lines;
  },
};
export default section;
