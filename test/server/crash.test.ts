// Faults from outside: a sender that vanishes mid-session, and a server process killed mid-session.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { RECORDED_TYPES } from "../../src/tdp/messages.ts";
import { writeTdpcap } from "../../src/tdp/tdpcap.ts";
import { ffprobeJson, sampleUntil } from "../support/corpus.ts";
import { decodeAll, probe as probeFile } from "../video/helpers/ffmpeg.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { waitForEncodedAndStored } from "../support/killPoint.ts";
import { ADMIN_TOKEN, waitFor } from "../support/server.ts";

const ROOT = join(import.meta.dir, "../..");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "deskreel-crash-"));
  dirs.push(d);
  return d;
}

interface ServerProcess {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  output: () => string;
}

/** `bun src/main.ts` as a real process, as a user starts it. */
async function spawnServer(dataDir: string): Promise<ServerProcess> {
  const proc = Bun.spawn([process.execPath, "src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, DESKREEL_DATA: dataDir, PORT: "0", DESKREEL_ADMIN_TOKEN: ADMIN_TOKEN, DESKREEL_VIDEO_WORKERS: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const decoder = new TextDecoder();
  void (async () => {
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      text += decoder.decode(value);
    }
  })();
  const url = await waitFor("the server to listen", () => /listening on (http:\/\/[^\s]+)/.exec(text)?.[1], 30_000);
  return { url, proc, output: () => text };
}

async function get(url: string, path: string): Promise<Response> {
  return fetch(url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}

describe("a sender that disappears mid-session", () => {
  test("leaves a complete, readable recording of everything before the cut", async () => {
    const dataDir = tempDir();
    const server = await spawnServer(dataDir);
    try {
      const records = sampleUntil(2500);
      const capture = join(dataDir, "part.tdpcap");
      writeFileSync(capture, writeTdpcap(records));
      // A child process streams the capture and exits without a WebSocket close frame.
      const script = `
        import { readTdpcap } from "${ROOT}/src/tdp/tdpcap.ts";
        const recs = readTdpcap(new Uint8Array(await Bun.file(${JSON.stringify(capture)}).arrayBuffer()));
        const ws = new WebSocket(${JSON.stringify(server.url.replace("http", "ws"))} + "/v1/ingest/desktop?desktop=WIN-CUT&user=gina&login=a",
          { headers: { authorization: "Bearer ${ADMIN_TOKEN}" } });
        // It leaves once the server has counted every message it sent (its status says so), not after a guessed pause.
        const received = async () => {
          const res = await fetch(${JSON.stringify(server.url)} + "/v1/status", { headers: { authorization: "Bearer ${ADMIN_TOKEN}" } });
          const session = (await res.json()).sessions.find((s) => s.desktop === "WIN-CUT");
          return session !== undefined && session.messages >= recs.length;
        };
        ws.onopen = async () => {
          for (const r of recs) ws.send(r.data);
          while (!(await received())) await Bun.sleep(50);
          process.exit(0);
        };`;
      const child = Bun.spawn([process.execPath, "-e", script], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
      expect(await child.exited).toBe(0);
      const item = await waitFor("the cut session to complete", async () => {
        const page = (await (await get(server.url, "/v1/recordings?desktop=WIN-CUT")).json()) as { items: Array<{ id: string; status: string; video: { state: string } }> };
        const it = page.items[0];
        return it && it.status !== "live" && it.video.state !== "encoding" ? it : undefined;
      });
      expect(item.status).toBe("complete");
      expect(item.video.state).toBe("ready");
      const file = new Uint8Array(await (await get(server.url, `/v1/recordings/${item.id}/recording.tar`)).arrayBuffer());
      const { events } = parseProtostream(file, { allowTruncated: false });
      expect(events[0].type).toBe("windows.desktop.session.start");
      expect(events.at(-1)?.type).toBe("windows.desktop.session.end");
      expect(events.filter((e) => e.type === "desktop.recording").length).toBe(records.filter((r) => RECORDED_TYPES.has(r.data[0])).length);
    } finally {
      server.proc.kill();
      await server.proc.exited;
    }
  }, 60_000);
});

describe("a server killed mid-session", () => {
  test("lists the session as interrupted after restart, with its events readable and its video playable", async () => {
    const dataDir = tempDir();
    const first = await spawnServer(dataDir);
    const records = sampleUntil(12_000);
    const client = await IngestClient.connect(first.url, ADMIN_TOKEN, { desktop: "WIN-CRASH", user: "hank" });
    await client.replay(records, 4); // 12 s of session in 3 s, so several keyframes and fragments exist
    // Kill once the encoder has caught up with everything sent and the live MP4 holds it: what it encoded by then
    // must survive the kill.
    const encodedFrames = await waitForEncodedAndStored(first.url, "WIN-CRASH", dataDir);
    first.proc.kill(9);
    await first.proc.exited;

    const second = await spawnServer(dataDir);
    try {
      const page = (await (await get(second.url, "/v1/recordings?desktop=WIN-CRASH")).json()) as {
        items: Array<{ id: string; status: string; duration_ms: number; video: { state: string; duration_ms: number } }>;
      };
      expect(page.items.length).toBe(1);
      const item = page.items[0];
      expect(item.status).toBe("interrupted");
      expect(item.video.state).toBe("ready");
      expect(item.duration_ms).toBeGreaterThan(1000);

      const file = new Uint8Array(await (await get(second.url, `/v1/recordings/${item.id}/recording.tar`)).arrayBuffer());
      const { events, stats } = parseProtostream(file);
      expect(events[0].type).toBe("windows.desktop.session.start");
      const frames = events.filter((e) => e.type === "desktop.recording");
      // everything sent up to the kill was durable: the sender had finished 1.5 s before it
      expect(frames.length).toBe(records.filter((r) => RECORDED_TYPES.has(r.data[0])).length);
      expect(stats.truncatedAt).toBeNull();

      const mp4 = join(dataDir, "recovered.mp4");
      await Bun.write(mp4, await (await get(second.url, `/v1/recordings/${item.id}/video.mp4`)).arrayBuffer());
      const probe = (await ffprobeJson(mp4, ["-show_streams", "-show_format", "-count_frames"])) as {
        streams: Array<{ codec_name: string; width: number; nb_read_frames: string }>;
        format: { duration: string };
      };
      expect(probe.streams[0].codec_name).toBe("h264");
      expect(probe.streams[0].width).toBe(1280);
      // every frame encoded before the kill, less the newest (held until the next one gives it a duration)
      expect(Number(probe.streams[0].nb_read_frames)).toBeGreaterThanOrEqual(Math.max(encodedFrames - 1, 5));
      expect(Number(probe.format.duration)).toBeGreaterThan(1.5);
      const decode = await decodeAll(mp4);
      expect(decode.code).toBe(0);
      expect(decode.errors).toBe("");
      const { packets } = await probeFile(mp4);
      for (let i = 1; i < packets.length; i++) expect(packets[i].ptsMs).toBeGreaterThan(packets[i - 1].ptsMs);
      expect(second.output()).toContain("recovered interrupted session");
    } finally {
      second.proc.kill();
      await second.proc.exited;
    }
  }, 90_000);
});
