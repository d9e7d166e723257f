// The web UI in headless Chromium: seeking, live latency, the list with 100 000 recordings.
import { benchListLoad, benchLiveLatency, benchSeek } from "../web.ts";
import { f, Lines, msCells, type BenchSection } from "./common.ts";

const section: BenchSection = {
  name: "browser",
  title: "Browser (headless Chromium)",
  async run({ quick }) {
    const { lines, out } = new Lines();
    out("`bench/web.ts`: Debian's Chromium driven by playwright-core against a test server (2 encoder workers), logged in as an auditor; every time is taken inside the page with `performance.now()`.");
    out();
    const seekMinutes = quick ? 10 : 60;
    const seek = await benchSeek({ durationS: seekMinutes * 60, seeks: quick ? 20 : 40 });
    out(`Seek latency in the player: a ${Math.round(seek.durationS / 60)}-minute ${seek.width}×${seek.height} office recording (real timing; ${seek.frames} frames, ${seek.keyframes} keyframes, ${f(seek.mp4Mb)} MB MP4; imported in ${f(seek.importSeconds)} s), paused, seeked to random places (4 in 5 far jumps, 1 in 5 near) by setting \`video.currentTime\`; time until the first frame presented (\`requestVideoFrameCallback\`) whose media time is the target's frame. Target: p50/p95 < 200 ms.`);
    out();
    out("| seeks | n | p50 ms | p95 ms | max ms |");
    out("|---|---|---|---|---|");
    out(`| all, to the frame shown | ${seek.frame.n} | ${msCells(seek.frame)} |`);
    out(`| far jumps (> ¼ of the recording, back and forth) | ${seek.far.n} | ${msCells(seek.far)} |`);
    out(`| near jumps (2–15 s) | ${seek.near.n} | ${msCells(seek.near)} |`);
    out(`| all, to the \`seeked\` event | ${seek.seeked.n} | ${msCells(seek.seeked)} |`);
    out();
    out(`Seeks that presented another frame first: ${seek.wrong}; that presented none within 10 s: ${seek.missed}.${seek.importNote ? ` Note: ${seek.importNote}.` : ""}`);
    out();
    const live = await benchLiveLatency({ changes: quick ? 10 : 20 });
    out(`Live latency: a 1080p office session streams in real time into the ingest WebSocket; every 1.5–3 s a 64×64 tile at a fixed place turns a new solid colour. Time from sending the tile into the socket to the first frame presented by the live page (\`requestVideoFrameCallback\`, the place drawn onto a canvas and its colour read) that shows that colour; bench and page clocks agree within ${f(live.clockOffsetMs + live.clockUncertaintyMs, 1)} ms. Target: p95 < 2.5 s.`);
    out();
    out("| changes | seen | p50 ms | p95 ms | max ms |");
    out("|---|---|---|---|---|");
    out(`| ${live.changes} | ${live.latency.n} | ${msCells(live.latency)} |`);
    out();
    const list = await benchListLoad({ count: 100_000, loads: quick ? 6 : 10 });
    out(`Recordings list with ${list.count.toLocaleString("en-US")} recordings in the catalog (SQLite, added in ${f(list.fillSeconds)} s): navigation start → first table row in the DOM, ${quick ? 6 : 10} loads per page, the first third with the browser cache cleared (cold). Target: < 300 ms.`);
    out();
    out("| page | matching | p50 ms | p95 ms | max ms | cold p50 ms | warm p50 ms | + next frame p50 ms |");
    out("|---|---|---|---|---|---|---|---|");
    for (const v of list.variants) {
      out(`| \`${v.path}\` | ${v.matches} | ${msCells(v.firstRow)} | ${Math.round(v.cold.p50)} | ${Math.round(v.warm.p50)} | ${Math.round(v.painted.p50)} |`);
    }
    return lines;
  },
};
export default section;
