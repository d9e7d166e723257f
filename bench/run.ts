// `bun run bench`: every benchmark in one run, results written to BENCHMARKS.md with the machine and command.
// Figures on this shared 2-core machine vary run to run; peers measured in the same run give ratios.
//   bun bench/run.ts [--quick]     --quick: shorter runs (for a smoke check, not for the record)
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { benchRecording, type BenchRecordingResult } from "./recording.ts";
import { benchImport, benchLive, type LiveRun } from "./server.ts";
import { benchVideo } from "./video.ts";
import { benchListLoad, benchLiveLatency, benchSeek, type Stats } from "./web.ts";
import { SAMPLE_CAPTURE } from "../test/support/corpusPath.ts";

const quick = process.argv.includes("--quick");
const ROOT = join(import.meta.dir, "..");
const CAPTURE = SAMPLE_CAPTURE;
const lines: string[] = [];
const out = (line = "") => {
  lines.push(line);
  console.log(line);
};
const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const msCells = (s: Stats) => `${Math.round(s.p50)} | ${Math.round(s.p95)} | ${Math.round(s.max)}`;

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Bun ${Bun.version}, ${process.platform}`;
}

async function ffmpegVersion(): Promise<string> {
  const p = Bun.spawnSync(["ffmpeg", "-version"]);
  return p.exitCode === 0 ? p.stdout.toString().split("\n")[0] : "ffmpeg not found";
}

function recordingRow(r: BenchRecordingResult, label: string): string {
  return `| ${label} | ${r.sessions} | ${Math.round(r.messagesPerSecond)} | ${f(r.megabytesPerSecond)} | ${f(r.durableLatencyMs.p50, 2)} | ${f(r.durableLatencyMs.p99, 2)} | ${f(r.rssPerSessionMB)} | ${r.lost} |`;
}

function liveRow(r: LiveRun & { rssMinute1Mb: number }): string {
  return `| ${r.sessions} | ${Math.round(r.sessionSeconds / r.sessions)} | ${r.p99LagMs} | ${r.maxLagMs} | ${r.realTime ? "yes" : "no"} | ${f(r.cpuSecondsPerSessionMinute, 2)} | ${f(r.mp4MbPerSessionHour)} | ${f(r.recordingMbPerSessionHour)} | ${f(r.rssMinute1Mb)} | ${Math.round(r.endToReadyMsMax)} |`;
}

const started = new Date();
out("# Benchmarks");
out();
out(`Run ${started.toISOString()} with \`bun run bench${quick ? " -- --quick" : ""}\` on ${machine()}; peer: ${await ffmpegVersion()}.`);
out("The machine is shared and noisy: compare ratios against the peer measured in the same run, not absolute figures across runs.");
out();

// 1. The recording path alone (ingest → events → stored parts), as fast as possible and paced.
out("## Recording path (TDP messages → DesktopRecorder → protostream parts in files)");
out();
out("`bench/recording.ts`: N sessions replay a capture; latency = receipt of a message → its part appended to the file.");
out();
out("| run | sessions | messages/s | MB/s | p50 ms | p99 ms | RSS MB/session | lost |");
out("|---|---|---|---|---|---|---|---|");
for (const sessions of [1, 8]) {
  out(recordingRow(await benchRecording({ sessions, capturePath: CAPTURE, loops: quick ? 1 : 3 }), "sample-720, max speed"));
  out(recordingRow(await benchRecording({ sessions, source: "synthetic1080p", loops: quick ? 1 : 2 }), "1080p tiles, max speed"));
  out(recordingRow(await benchRecording({ sessions, capturePath: CAPTURE, speed: 10 }), "sample-720, paced 10×"));
  out(recordingRow(await benchRecording({ sessions, source: "synthetic1080p", frames: quick ? 50 : 300, speed: 1 }), "1080p tiles, real time"));
}
out();

// 2. The encoder against ffmpeg libx264 on the same frames, and the pool's real-time capacity on the sample.
out("## Encoder vs ffmpeg libx264 (ultrafast, 1 thread), same raw frames");
out();
const video = await benchVideo({ capturePath: CAPTURE, log: () => undefined, sessionCounts: quick ? [2, 4] : [2, 4, 6, 8, 10] });
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
out();

// 3. The whole server with synthetic 1080p office desktops at real time.
out("## Whole server: live 1920×1080 office sessions at real time");
out();
out("`bench/server.ts`: synthetic office desktops (typing, scrolling, idle, one resize) stream into the ingest WebSocket; the server records them and encodes their video (2 encoder workers). CPU is the whole process (recording, HTTP, workers) per session-minute.");
out();
out("| sessions | s each | p99 lag ms | max lag ms | real time | CPU-s / session-min | MP4 MB / session-h | recording MB / session-h | RSS MB / session (min 1) | end → MP4 ready ms |");
out("|---|---|---|---|---|---|---|---|---|---|");
const liveDuration = quick ? 20 : 75;
let best = 0;
for (const sessions of quick ? [2] : [4, 6, 8, 10]) {
  const run = await benchLive(sessions, liveDuration, 1);
  out(liveRow(run));
  if (run.realTime) best = sessions;
  else break;
}
out();
out(`Most concurrent live 1080p office sessions kept in real time in this run: **${best}** (target ≥ 6).`);
out();

// 4. Memory over a long session: 30 minutes of session time replayed at 10× (3 minutes of wall time).
out("## Memory over a 30-minute session, and time to a finished MP4");
out();
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
out();

// 5. Import.
out("## Import speed");
out();
const importSeconds = quick ? 30 : 300;
const imp = await benchImport(importSeconds);
out(`A ${Math.round(imp.sessionSeconds)} s 1080p office recording imported with \`POST /v1/recordings/import\`: video ready after ${f(imp.wallSeconds)} s = **${f(imp.timesRealTime)}× real time** (target ≥ 20×).`);
out();
// 6. The web UI in headless Chromium: seeking, live latency, the list with 100 000 recordings.
out("## Browser (headless Chromium)");
out();
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
out();
out(`Total benchmark time: ${Math.round((Date.now() - started.getTime()) / 1000)} s.`);

if (!quick) await Bun.write(join(ROOT, "BENCHMARKS.md"), `${lines.join("\n")}\n`);
else console.log("\n(--quick: BENCHMARKS.md not written)");
process.exit(0);
