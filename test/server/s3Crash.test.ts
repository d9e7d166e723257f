// A single node on S3 killed mid-session (SIGKILL) and restarted on the same data dir: the session is listed
// interrupted, and its recording and video are served from the bucket (rebuilt from the spool left on disk).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { RECORDED_TYPES } from "../../src/tdp/messages.ts";
import { ffprobeJson, sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { waitForEncodedAndStored } from "../support/killPoint.ts";
import { ADMIN_TOKEN, waitFor } from "../support/server.ts";
import { startServerProcess } from "../support/serverProcess.ts";
import { MOTO_INSTALL_HINT, type S3TestServer, createTestBucket, motoServerPath, startS3Server } from "../storage/s3server.ts";

const available = motoServerPath() !== null;
if (!available) console.warn(`S3 crash test skipped: moto_server is not installed. Install it with: ${MOTO_INSTALL_HINT}`);

let s3: S3TestServer;
const dirs: string[] = [];

function s3Env(bucket: string, dataDir: string): Record<string, string> {
  return {
    DESKREEL_DATA: dataDir,
    DESKREEL_S3_BUCKET: bucket,
    DESKREEL_S3_ENDPOINT: s3.endpoint,
    DESKREEL_S3_REGION: s3.region,
    DESKREEL_S3_ACCESS_KEY_ID: s3.accessKeyId,
    DESKREEL_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
}

async function get(url: string, path: string): Promise<Response> {
  return fetch(url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}

describe.skipIf(!available)("a single node on S3 killed mid-session", () => {
  beforeAll(async () => {
    s3 = await startS3Server();
    await createTestBucket(s3, "crash");
  }, 30_000);

  afterAll(async () => {
    await s3?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("after a restart on the same data dir the session is interrupted, its recording and MP4 complete", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "deskreel-s3crash-"));
    dirs.push(dataDir);
    const env = s3Env("crash", dataDir);
    const first = await startServerProcess(env);
    const records = sampleUntil(8_000);
    const client = await IngestClient.connect(first.url, ADMIN_TOKEN, { desktop: "WIN-S3CRASH", user: "ida" });
    await client.replay(records, 4);
    // Killed once the encoder has caught up with everything sent and the live MP4 holds it (the server says so).
    await waitForEncodedAndStored(first.url, "WIN-S3CRASH", dataDir);
    await first.kill();

    const second = await startServerProcess(env);
    try {
      const page = (await (await get(second.url, "/v1/recordings?desktop=WIN-S3CRASH")).json()) as {
        items: Array<{ id: string; status: string; duration_ms: number; video: { state: string } }>;
      };
      expect(page.items.length).toBe(1);
      const item = page.items[0];
      expect(item.status).toBe("interrupted");
      expect(item.video.state).toBe("ready");

      const tar = await get(second.url, `/v1/recordings/${item.id}/recording.tar`);
      expect(tar.status).toBe(200);
      const { events, stats } = parseProtostream(new Uint8Array(await tar.arrayBuffer()));
      expect(events[0].type).toBe("windows.desktop.session.start");
      expect(events.filter((e) => e.type === "desktop.recording").length).toBe(records.filter((r) => RECORDED_TYPES.has(r.data[0])).length);
      expect(stats.truncatedAt).toBeNull();

      const video = await get(second.url, `/v1/recordings/${item.id}/video.mp4`);
      expect(video.status).toBe(200);
      const mp4 = join(dataDir, "recovered.mp4");
      await Bun.write(mp4, await video.arrayBuffer());
      const probe = (await ffprobeJson(mp4, ["-show_streams", "-show_format"])) as { streams: Array<{ codec_name: string }>; format: { duration: string } };
      expect(probe.streams[0].codec_name).toBe("h264");
      expect(Number(probe.format.duration)).toBeGreaterThan(1.5);
      expect(second.output()).toContain("recovered interrupted session");
    } finally {
      await second.stop();
    }
  }, 120_000);
});
