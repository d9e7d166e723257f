// What the MP4s a tree makes cost a player to decode: the same office recording imported into that tree's
// server, then decoded by ffmpeg on one thread. A seek decodes the keyframe before the target and the frames
// after it, so these figures explain most of what separates two trees' seek times.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordingOf } from "../test/support/recordings.ts";
import { probe } from "../test/video/helpers/ffmpeg.ts";
import { officeCapture } from "./server.ts";

export interface DecodeCost {
  frames: number;
  keyframes: number;
  mp4Bytes: number;
  /** Single-thread decode CPU per frame, ms (demuxing subtracted). */
  msPerFrame: number;
  /** Single-thread decode CPU per keyframe, ms (demuxing subtracted). */
  msPerKeyframe: number;
}

interface TreeServer {
  url: string;
  auth: Record<string, string>;
  json<T>(path: string): Promise<T>;
  dispose(): Promise<void>;
}

/** Imports `durationS` of office work into the server of the tree at `treeRoot` and measures its MP4. */
export async function decodeCostOfImport(treeRoot: string, durationS: number, env: Record<string, string> = {}): Promise<DecodeCost> {
  const support = (await import(join(treeRoot, "test/support/server.ts"))) as {
    startTestServer(env: Record<string, string>): Promise<TreeServer>;
    waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T>;
  };
  const file = await recordingOf(await officeCapture(31, durationS), "00000000-0000-4000-8000-00000000dec0");
  const dir = mkdtempSync(join(tmpdir(), "deskreel-decode-"));
  const server = await support.startTestServer({ DESKREEL_VIDEO_WORKERS: "2", ...env });
  try {
    const res = await fetch(`${server.url}/v1/recordings/import`, { method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: file as Uint8Array<ArrayBuffer> });
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    await support.waitFor("video ready", async () => {
      const item = await server.json<{ video: { state: string } }>(`/v1/recordings/${id}`);
      if (item.video.state === "failed") throw new Error("video failed");
      return item.video.state === "ready" ? item : undefined;
    }, 600_000);
    const path = join(dir, "video.mp4");
    await Bun.write(path, await (await fetch(`${server.url}/v1/recordings/${id}/video.mp4`, { headers: server.auth })).arrayBuffer());
    const { packets } = await probe(path);
    const keyframes = packets.filter((p) => p.isKey).length;
    const demux = await ffmpegCpuMs(["-i", path, "-c", "copy"]);
    const all = await ffmpegCpuMs(["-threads", "1", "-i", path]);
    const keys = await ffmpegCpuMs(["-threads", "1", "-skip_frame", "nokey", "-i", path]);
    return {
      frames: packets.length,
      keyframes,
      mp4Bytes: Bun.file(path).size,
      msPerFrame: Math.max(0, all - demux) / packets.length,
      msPerKeyframe: Math.max(0, keys - demux) / keyframes,
    };
  } finally {
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ffmpeg's own CPU (user + system), ms, for `args` with a null output; the median of three runs. */
async function ffmpegCpuMs(args: string[]): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const proc = Bun.spawn(["ffmpeg", "-v", "error", ...args, "-f", "null", "-"], { stdout: "ignore", stderr: "pipe" });
    const stderr = await new Response(proc.stderr).text();
    if ((await proc.exited) !== 0) throw new Error(`ffmpeg ${args.join(" ")}: ${stderr}`);
    const usage = proc.resourceUsage();
    if (!usage) throw new Error("ffmpeg's resource usage is unknown");
    runs.push(Number(usage.cpuTime.user + usage.cpuTime.system) / 1000);
  }
  return runs.sort((a, b) => a - b)[1];
}
