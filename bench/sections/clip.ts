// Clip export: a 5-minute clip cut from the middle of a 1-hour recording video (1280×720, a picture every
// 100 ms, keyframe every 3 s), by our cutter (re-encoded first partial group + copy) and, as the peer in the
// same run, `ffmpeg -ss -to -c copy` (which cuts at a keyframe only, no re-encode). The recording is built
// from real H.264 groups of pictures repeated for an hour, so its size and sample count are a real hour's.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeTestClip } from "../../test/video/helpers/testClip.ts";
import { prepareClip } from "../../src/video/clip/cutClip.ts";
import { finalVideoIndex } from "../../src/video/clip/source.ts";
import { writeFinalMp4 } from "../../src/video/mp4/final.ts";
import { bytesReader, fileReader, fileSink } from "../../src/video/mp4/io.ts";
import type { StoredSample } from "../../src/video/mp4/types.ts";
import { concatBytes } from "../../src/bytes.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const FRAME_MS = 100;
const GOP = 30;

const section: BenchSection = {
  name: "clip",
  title: "Clip export",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const hourMs = quick ? 600_000 : 3_600_000;
    const dir = await mkdtemp(join(tmpdir(), "deskreel-bench-clip-"));
    try {
      const gop = await encodeTestClip({ width: 1280, height: 720, pictures: GOP, groupOfPictures: GOP });
      const source = concatBytes(gop.samples.map((s) => s.data));
      const count = hourMs / FRAME_MS;
      const samples: StoredSample[] = [];
      for (let i = 0; i < count; i++) {
        const s = gop.samples[i % GOP];
        const local = gop.samples.slice(0, i % GOP).reduce((n, x) => n + x.data.length, 0);
        samples.push({ offset: local, size: s.data.length, dtsMs: i * FRAME_MS, durationMs: FRAME_MS, isKey: s.isKey });
      }
      const recording = join(dir, "hour.mp4");
      await writeFinalMp4({ config: gop.config, samples, read: bytesReader(source) }, await fileSink(recording));
      const size = Bun.file(recording).size;
      const fromMs = Math.round(hourMs / 2) + 1_234; // mid-group
      const toMs = fromMs + 300_000;
      const file = fileReader(recording);
      const started = performance.now();
      const index = await finalVideoIndex(file.read, size);
      const clip = await prepareClip(index, { fromMs, toMs, tags: [["com.deskreel.recording_id", "bench"]] });
      await clip.write(await fileSink(join(dir, "clip.mp4")));
      const ours = (performance.now() - started) / 1000;
      await file.close();
      const peerStart = performance.now();
      const peer = Bun.spawnSync(["ffmpeg", "-v", "error", "-y", "-ss", String(fromMs / 1000), "-to", String(toMs / 1000), "-i", recording, "-c", "copy", join(dir, "peer.mp4")]);
      const peerSeconds = (performance.now() - peerStart) / 1000;
      out(`A 5-minute clip from the middle of a ${f(hourMs / 3_600_000)} h 1280×720 recording (${f(size / 2 ** 20)} MiB, ${count} pictures): **${f(ours)} s** (target < 2 s), ${clip.reencoded} pictures re-encoded, ${clip.copied} copied.`);
      out(`Peer, same run: \`ffmpeg -ss -to -c copy\` ${peer.exitCode === 0 ? `${f(peerSeconds)} s` : "failed"} (keyframe-aligned, not exact) → ours/ffmpeg = ${f(ours / peerSeconds)}×.`);
      out(`Reproduce: \`bun run bench -- --only clip\`.`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return lines;
  },
};

export default section;
