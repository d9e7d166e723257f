// The recording path alone (ingest → events → stored parts), as fast as possible and paced.
import { benchRecording, type BenchRecordingResult } from "../recording.ts";
import { SAMPLE_CAPTURE } from "../../test/support/corpusPath.ts";
import { f, Lines, type BenchSection } from "./common.ts";

function recordingRow(r: BenchRecordingResult, label: string): string {
  return `| ${label} | ${r.sessions} | ${Math.round(r.messagesPerSecond)} | ${f(r.megabytesPerSecond)} | ${f(r.durableLatencyMs.p50, 2)} | ${f(r.durableLatencyMs.p99, 2)} | ${f(r.rssPerSessionMB)} | ${r.lost} |`;
}

const section: BenchSection = {
  name: "recording",
  title: "Recording path (TDP messages → DesktopRecorder → protostream parts in files)",
  async run({ quick }) {
    const { lines, out } = new Lines();
    out("`bench/recording.ts`: N sessions replay a capture; latency = receipt of a message → its part appended to the file.");
    out();
    out("| run | sessions | messages/s | MB/s | p50 ms | p99 ms | RSS MB/session | lost |");
    out("|---|---|---|---|---|---|---|---|");
    for (const sessions of [1, 8]) {
      out(recordingRow(await benchRecording({ sessions, capturePath: SAMPLE_CAPTURE, loops: quick ? 1 : 3 }), "sample-720, max speed"));
      out(recordingRow(await benchRecording({ sessions, source: "synthetic1080p", loops: quick ? 1 : 2 }), "1080p tiles, max speed"));
      out(recordingRow(await benchRecording({ sessions, capturePath: SAMPLE_CAPTURE, speed: 10 }), "sample-720, paced 10×"));
      out(recordingRow(await benchRecording({ sessions, source: "synthetic1080p", frames: quick ? 50 : 300, speed: 1 }), "1080p tiles, real time"));
    }
    return lines;
  },
};
export default section;
