// The cluster set-up (PostgreSQL + S3 with bounded-loss pieces) next to the embedded default (files + SQLite):
// the recording path's latency and what the pieces cost in S3 requests per session-hour, and how long a viewer
// waits for the first live picture, on the node that records the session and through another node (relayed).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Store } from "../../src/storage/s3Store.ts";
import { type PgTestServer, postgresBinDir, startPostgres } from "../../test/catalog/pgserver.ts";
import { type S3TestServer, createTestBucket, motoServerPath, startS3Server } from "../../test/storage/s3server.ts";
import { sampleUntil } from "../../test/support/corpus.ts";
import { SAMPLE_CAPTURE } from "../../test/support/corpusPath.ts";
import { IngestClient } from "../../test/support/ingestClient.ts";
import { ADMIN_TOKEN } from "../../test/support/server.ts";
import { type ServerProcess, startServerProcess } from "../../test/support/serverProcess.ts";
import { benchRecording, type BenchRecordingResult } from "../recording.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const SECRET = "bench-cluster-secret-0123456789-abcdefghij";

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** ms from asking for the live socket to holding the first media fragment (after init and init segment). */
async function joinTime(base: string, id: string): Promise<number> {
  const t0 = performance.now();
  const ws = new WebSocket(`${base.replace("http", "ws")}/v1/recordings/${id}/live`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } } as unknown as string[]);
  ws.binaryType = "arraybuffer";
  let binaries = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no live fragment from ${base} within 20 s`)), 20_000);
    ws.onmessage = (e) => {
      if (typeof e.data === "string") return;
      if (++binaries < 2) return;
      clearTimeout(timer);
      resolve(performance.now() - t0);
      ws.close();
    };
    ws.onerror = () => reject(new Error(`live socket to ${base} failed`));
  });
}

async function liveSessionId(base: string, desktop: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${base}/v1/recordings?status=live&desktop=${desktop}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const page = (await res.json()) as { items: Array<{ id: string }> };
    if (page.items[0]) return page.items[0].id;
    await Bun.sleep(100);
  }
  throw new Error(`no live session of ${desktop} on ${base}`);
}

/** Join times (sorted) of `joins` viewers of a session sent to `ingestTo`, each viewer joining through `watchFrom`. */
async function joins(ingestTo: string, watchFrom: string, desktop: string, count: number): Promise<number[]> {
  const client = await IngestClient.connect(ingestTo, ADMIN_TOKEN, { desktop, user: "bench" });
  await client.replay(sampleUntil(5_000), 5);
  const id = await liveSessionId(watchFrom, desktop);
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await joinTime(watchFrom, id));
  await client.close();
  return times.sort((a, b) => a - b);
}

function recordingRow(label: string, r: BenchRecordingResult): string {
  return `| ${label} | ${r.sessions} | ${Math.round(r.messagesPerSecond)} | ${f(r.durableLatencyMs.p50, 2)} | ${f(r.durableLatencyMs.p99, 2)} | ${f(r.durableLatencyMs.max, 1)} | ${r.lost} |`;
}

const section: BenchSection = {
  name: "cluster",
  title: "Cluster: PostgreSQL + S3 next to the embedded default",
  async run({ quick }) {
    const { lines, out } = new Lines();
    if (motoServerPath() === null || postgresBinDir() === null) {
      out("Not measured: this machine lacks moto_server or PostgreSQL (see .ci/run).");
      return lines;
    }
    const dirs: string[] = [];
    const temp = (name: string) => {
      const d = mkdtempSync(join(tmpdir(), `deskreel-bench-${name}-`));
      dirs.push(d);
      return d;
    };
    let pg: PgTestServer | null = null;
    let s3: S3TestServer | null = null;
    const procs: ServerProcess[] = [];
    try {
      const [pgServer, s3Server] = await Promise.all([startPostgres(), startS3Server()]);
      pg = pgServer;
      s3 = s3Server;
      await createTestBucket(s3Server, "bench");
      const location = { endpoint: s3Server.endpoint, bucket: "bench", region: s3Server.region, accessKeyId: s3Server.accessKeyId, secretAccessKey: s3Server.secretAccessKey };

      // 1. Recording path: the same paced sessions into files and into S3 (spool + parts + pieces).
      out("Recording path (`bench/recording.ts`, the corpus capture paced at real time; latency = receipt of a message →");
      out("its part durable: written to the file, or to the S3 spool; pieces and parts go to the bucket in the background).");
      out("S3 is moto_server on loopback, so request latency is far below a real bucket's; the request counts are what matter.");
      out();
      out("| store | sessions | messages/s | p50 ms | p99 ms | max ms | lost |");
      out("|---|---|---|---|---|---|---|");
      const sessions = quick ? 2 : 4;
      const speed = quick ? 4 : 1;
      out(recordingRow("files (embedded default)", await benchRecording({ sessions, capturePath: SAMPLE_CAPTURE, speed })));
      const s3Store = new S3Store({ ...location, spoolDir: temp("spool") });
      const s3Run = await benchRecording({ sessions, capturePath: SAMPLE_CAPTURE, speed, store: s3Store });
      out(recordingRow("S3, pieces every 2 s", s3Run));
      const sessionHours = (s3Run.seconds * sessions) / 3600;
      const stats = s3Store.pieceStats;
      out();
      out(`Bounded-loss pieces over ${f(s3Run.seconds)} s × ${sessions} sessions (recording objects only; a desktop session also has its live MP4, which costs the same again in requests):`);
      out(`${Math.round(stats.puts / sessionHours)} piece PUTs, ${Math.round(stats.deletes / sessionHours)} DeleteObjects and ${f(stats.putBytes / 1e6 / sessionHours)} MB of piece uploads per session-hour` +
        ` (the recording itself: ${f(s3Run.fileBytes / 1e6 / sessionHours)} MB per session-hour; pieces upload each byte once more until a 5 MiB part holds it).` +
        ` At AWS's $0.005 per 1000 PUTs that is ~$${f((stats.puts / sessionHours) * 2 * 0.005 / 1000, 4)} per desktop session-hour (recording + video).`);
      out();

      // 2. Live join: embedded single node vs a 2-node cluster (owner node, and through the other node).
      const count = quick ? 3 : 10;
      const embedded = await startServerProcess({ DESKREEL_DATA: temp("embedded") });
      procs.push(embedded);
      const clusterEnv = (name: string, port: number) => ({
        PORT: String(port), DESKREEL_DATA: temp(name), DESKREEL_NODE_NAME: name, DESKREEL_ADVERTISE_URL: `http://127.0.0.1:${port}`,
        DESKREEL_CLUSTER_SECRET: SECRET, DESKREEL_DATABASE_URL: pgServer.url, DESKREEL_S3_BUCKET: "bench", DESKREEL_S3_ENDPOINT: s3Server.endpoint,
        DESKREEL_S3_REGION: s3Server.region, DESKREEL_S3_ACCESS_KEY_ID: s3Server.accessKeyId, DESKREEL_S3_SECRET_ACCESS_KEY: s3Server.secretAccessKey,
      });
      const freePort = () => {
        const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
        const port = l.port;
        l.stop(true);
        return port;
      };
      const a = await startServerProcess(clusterEnv("bench-a", freePort()));
      procs.push(a);
      const b = await startServerProcess(clusterEnv("bench-b", freePort()));
      procs.push(b);
      out(`Live join: ms from opening \`/v1/recordings/:id/live\` to the first media fragment, ${count} joins each, one 720p session (the sample) live.`);
      out();
      out("| set-up | joined on | p50 ms | p99 ms | max ms |");
      out("|---|---|---|---|---|");
      const row = (label: string, on: string, t: number[]) => out(`| ${label} | ${on} | ${Math.round(percentile(t, 0.5))} | ${Math.round(percentile(t, 0.99))} | ${Math.round(t[t.length - 1])} |`);
      row("embedded (files + SQLite)", "the recording node", await joins(embedded.url, embedded.url, "WIN-BENCH-E", count));
      row("PostgreSQL + S3, 2 nodes", "the recording node", await joins(a.url, a.url, "WIN-BENCH-A", count));
      row("PostgreSQL + S3, 2 nodes", "the other node (relayed)", await joins(a.url, b.url, "WIN-BENCH-B", count));
      return lines;
    } finally {
      for (const p of procs) await p.stop().catch(() => undefined);
      await Promise.allSettled([pg?.stop(), s3?.stop()]);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  },
};
export default section;
