// Imports are jobs: a node killed (SIGKILL) while it makes an import's video leaves the job, and another node
// sharing the PostgreSQL database and the S3 bucket claims it after its lease and makes the whole video.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { JobQueue } from "../../src/jobs/jobQueue.ts";
import { PostgresRunner } from "../../src/db/sqlRunner.ts";
import { IMPORT_VIDEO_JOB } from "../../src/sessions/importJob.ts";
import type { TdpcapRecord } from "../../src/tdp/tdpcap.ts";
import { ffprobeJson, sampleRecords } from "../support/corpus.ts";
import { PgDatabases, POSTGRES_SKIP_REASON, postgresAvailable, removeTempDirs, tempDataDir } from "../support/databases.ts";
import { recordingOf } from "../support/recordings.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { startServerProcess } from "../support/serverProcess.ts";
import { MOTO_INSTALL_HINT, type S3TestServer, createTestBucket, motoServerPath, startS3Server } from "../storage/s3server.ts";

const motoAvailable = motoServerPath() !== null;
if (!postgresAvailable) console.warn(`import job test skipped: ${POSTGRES_SKIP_REASON}`);
if (!motoAvailable) console.warn(`import job test skipped: moto_server is not installed. Install it with: ${MOTO_INSTALL_HINT}`);

const pg = new PgDatabases();
let s3: S3TestServer;

/** The corpus capture played `times` times in a row: an import long enough to be caught mid-encode. */
function repeated(times: number): TdpcapRecord[] {
  const once = sampleRecords();
  const span = (once.at(-1)?.delayMs ?? 0) + 1000;
  return Array.from({ length: times }, (_, k) => once.map((r) => ({ delayMs: r.delayMs + k * span, data: r.data }))).flat();
}

describe.skipIf(!postgresAvailable || !motoAvailable)("an import whose node dies mid-encode", () => {
  beforeAll(async () => {
    await pg.start();
    s3 = await startS3Server();
    await createTestBucket(s3, "imports");
  }, 60_000);
  afterAll(async () => {
    await s3?.stop();
    await pg.stop();
    removeTempDirs();
  });

  test("is claimed again by a surviving node, which makes the whole video", async () => {
    const url = await pg.freshUrl("importjob");
    const env = (name: string) => ({
      DESKREEL_DATABASE_URL: url, DESKREEL_NODE_NAME: name, DESKREEL_VIDEO_WORKERS: "1",
      DESKREEL_S3_BUCKET: "imports", DESKREEL_S3_ENDPOINT: s3.endpoint, DESKREEL_S3_REGION: s3.region,
      DESKREEL_S3_ACCESS_KEY_ID: s3.accessKeyId, DESKREEL_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
    const id = "import-job-survives-0001";
    const file = await recordingOf(repeated(4), id, "WIN-JOB");
    const db = PostgresRunner.connect(url, 1);
    const a = await startServerProcess(env("node-a"));
    let b: TestServer | null = null;
    try {
      const res = await fetch(`${a.url}/v1/recordings/import`, {
        method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/octet-stream" }, body: new Blob([file.slice()]),
      });
      expect(res.status).toBe(201);
      const queue = await JobQueue.open(db);
      const job = await waitFor("node-a to claim the import's video", async () => {
        const pending = await queue.pending();
        return pending.find((j) => j.kind === IMPORT_VIDEO_JOB && j.state === "running" && j.claimedBy === "node-a");
      });
      const [{ video_state }] = await db.query<{ video_state: string }>("SELECT video_state FROM recordings WHERE id = $1", [id]);
      expect(video_state).toBe("encoding");
      await a.kill();
      const killedAt = Date.now();

      b = await startTestServer(env("node-b"), tempDataDir());
      const item = await waitFor("node-b to make the video", async () => {
        const r = await b!.json<{ video: { state: string; duration_ms: number } }>(`/v1/recordings/${id}`);
        return r.video.state === "ready" ? r : undefined;
      }, 180_000);
      console.log(`import video made by node-b ${Date.now() - killedAt} ms after node-a was killed`);
      // The video is listed ready before the job ends (its manifest is signed after it): wait for the job's end too.
      const ended = await waitFor("node-b to end the job", async () => {
        const j = await queue.get(job.id);
        return j && j.state !== "running" ? j : undefined;
      });
      expect(ended).toMatchObject({ state: "done", attempts: 2, claimedBy: "node-b" });
      expect(b.logs.some((l) => l.includes(`attempt 2 of 3`))).toBe(true);

      const mp4 = new Uint8Array(await (await b.get(`/v1/recordings/${id}/video.mp4`)).arrayBuffer());
      const path = join(tempDataDir(), "video.mp4");
      writeFileSync(path, mp4);
      const probe = await ffprobeJson(path, ["-show_entries", "format=duration"]);
      const seconds = Number((probe.format as { duration: string }).duration);
      const expected = (repeated(4).at(-1)?.delayMs ?? 0) / 1000;
      expect(Math.abs(seconds - expected)).toBeLessThan(2);
    } finally {
      await a.stop().catch(() => undefined);
      await b?.dispose();
      await db.close();
    }
  }, 300_000);
});
