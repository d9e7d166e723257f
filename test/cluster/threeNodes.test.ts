// Three deskreel node processes on one PostgreSQL and one S3 bucket (moto_server), behind a real haproxy
// with deploy/haproxy.cfg: accounts shared, a live session watched and its growing MP4 served through other
// nodes, and a node killed with its disk deleted mid-session losing at most 5 s of it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { encodeMessage } from "../../src/tdp/encode.ts";
import { MessageType } from "../../src/tdp/messages.ts";
import { POSTGRES_INSTALL_HINT, type PgTestServer, postgresBinDir, startPostgres } from "../catalog/pgserver.ts";
import { MOTO_INSTALL_HINT, type S3TestServer, createTestBucket, motoServerPath, startS3Server } from "../storage/s3server.ts";
import { ffprobeJson, sampleRecords, sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { recordingOf } from "../support/recordings.ts";
import { ADMIN_TOKEN, waitFor } from "../support/server.ts";
import { type ServerProcess, startServerProcess } from "../support/serverProcess.ts";

const ROOT = join(import.meta.dir, "../..");
const missing = [
  motoServerPath() === null ? `moto_server (${MOTO_INSTALL_HINT})` : null,
  postgresBinDir() === null ? `PostgreSQL (${POSTGRES_INSTALL_HINT})` : null,
  Bun.which("haproxy") === null ? "haproxy (apt-get install -y haproxy)" : null,
].filter((m) => m !== null);
if (missing.length > 0) console.warn(`three-node cluster test skipped: missing ${missing.join(", ")}`);

const SECRET = "cluster-secret-for-the-three-node-test-0123456789";
const LEASE_SECONDS = 6;

let pg: PgTestServer;
let s3: S3TestServer;
let haproxy: ReturnType<typeof Bun.spawn> | null = null;
let front = "";
const nodes: Record<string, { env: Record<string, string>; proc: ServerProcess | null; url: string }> = {};
const dirs: string[] = [];

async function freePort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

async function startNode(name: string): Promise<void> {
  const node = nodes[name];
  node.proc = await startServerProcess(node.env);
  node.url = node.proc.url;
}

function api(base: string, path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${init.token ?? ADMIN_TOKEN}`);
  return fetch(base + path, { ...init, headers });
}

async function json<T>(base: string, path: string, token?: string): Promise<T> {
  const res = await api(base, path, { token });
  if (!res.ok) throw new Error(`${path} on ${base}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Item { id: string; status: string; start: string; duration_ms: number; video: { state: string } }

describe.skipIf(missing.length > 0)("three nodes behind haproxy on PostgreSQL + S3", () => {
  beforeAll(async () => {
    [pg, s3] = await Promise.all([startPostgres(), startS3Server()]);
    await createTestBucket(s3, "cluster");
    for (const name of ["node1", "node2", "node3"]) {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), `deskreel-${name}-`));
      dirs.push(dataDir);
      nodes[name] = {
        proc: null, url: "",
        env: {
          PORT: String(port), DESKREEL_DATA: dataDir, DESKREEL_NODE_NAME: name, DESKREEL_ADVERTISE_URL: `http://127.0.0.1:${port}`,
          DESKREEL_CLUSTER_SECRET: SECRET, DESKREEL_NODE_LEASE_SECONDS: String(LEASE_SECONDS), DESKREEL_DATABASE_URL: pg.url,
          DESKREEL_S3_BUCKET: "cluster", DESKREEL_S3_ENDPOINT: s3.endpoint, DESKREEL_S3_REGION: s3.region,
          DESKREEL_S3_ACCESS_KEY_ID: s3.accessKeyId, DESKREEL_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        },
      };
    }
    // One at a time: the first start creates the schema.
    for (const name of Object.keys(nodes)) await startNode(name);
    const frontPort = await freePort();
    front = `http://127.0.0.1:${frontPort}`;
    haproxy = Bun.spawn(["haproxy", "-db", "-f", join(ROOT, "deploy/haproxy.cfg")], {
      env: {
        ...process.env, DESKREEL_LISTEN: `127.0.0.1:${frontPort}`, DESKREEL_HEALTH_TOKEN: ADMIN_TOKEN,
        DESKREEL_NODE1: nodes.node1.url.replace("http://", ""), DESKREEL_NODE2: nodes.node2.url.replace("http://", ""), DESKREEL_NODE3: nodes.node3.url.replace("http://", ""),
      },
      stdout: "ignore", stderr: "pipe",
    });
    try {
      await waitFor("haproxy to pass requests", async () => ((await api(front, "/v1/status").catch(() => null))?.status === 200 ? true : undefined), 20_000);
    } catch (err) {
      haproxy.kill();
      throw new Error(`${String(err)}; haproxy said: ${await new Response(haproxy.stderr as ReadableStream).text()}`);
    }
  }, 120_000);

  afterAll(async () => {
    haproxy?.kill();
    await haproxy?.exited;
    for (const node of Object.values(nodes)) await node.proc?.stop().catch(() => undefined);
    await Promise.allSettled([pg?.stop(), s3?.stop()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("through haproxy every node answers, and GET /v1/cluster lists the three alive", async () => {
    for (let i = 0; i < 6; i++) {
      const body = await json<{ nodes: Array<{ name: string; alive: boolean }> }>(front, "/v1/cluster");
      expect(body.nodes.filter((n) => n.alive).map((n) => n.name).sort()).toEqual(["node1", "node2", "node3"]);
    }
  });

  test("a user created through node 1 logs in through node 3; a token made on node 1 works on node 2", async () => {
    const created = await api(nodes.node1.url, "/v1/users", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "carol", password: "correct horse battery staple", role: "auditor" }),
    });
    expect(created.status).toBe(201);
    const login = await fetch(`${nodes.node3.url}/v1/auth/login`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "carol", password: "correct horse battery staple" }),
    });
    expect(login.status).toBe(200);
    const token = await api(nodes.node1.url, "/v1/tokens", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "script", role: "auditor" }),
    });
    expect(token.status).toBe(201);
    const { secret } = (await token.json()) as { secret: string };
    expect((await api(nodes.node2.url, "/v1/recordings", { token: secret })).status).toBe(200);
  }, 30_000);

  test("live from any node; node 1 killed with its disk lost loses ≤ 5 s; node 2's restart leaves node 3's session live; an import on node 3 gets ready", async () => {
    // A session on node 1: the sample's pictures, then a pointer move every 100 ms until the kill.
    const client = await IngestClient.connect(nodes.node1.url, ADMIN_TOKEN, { desktop: "WIN-NODE1", user: "dora" });
    await client.replay(sampleUntil(6_000), 3);
    let lastSentMs = Date.now();
    let sending = true;
    const pointer = (async () => {
      for (let i = 0; sending; i++) {
        client.send(encodeMessage({ type: MessageType.MouseMove, x: 100 + (i % 200), y: 100 }));
        lastSentMs = Date.now();
        await Bun.sleep(100);
      }
    })();
    // And one on node 3, to outlive node 2's restart.
    const other = await IngestClient.connect(nodes.node3.url, ADMIN_TOKEN, { desktop: "WIN-NODE3", user: "ed" });
    await other.replay(sampleUntil(2_000), 4);

    const live = await waitFor("node 1's session listed live on node 2", async () => {
      const page = await json<{ items: Item[] }>(nodes.node2.url, "/v1/recordings?status=live&desktop=WIN-NODE1");
      return page.items[0];
    }, 20_000);
    const id = live.id;

    // Watched live through node 2: init, init segment, media fragments.
    const watch = async (base: string): Promise<Array<string | Uint8Array>> => {
      const messages: Array<string | Uint8Array> = [];
      const viewer = new WebSocket(`${base.replace("http", "ws")}/v1/recordings/${id}/live`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } } as unknown as string[]);
      viewer.binaryType = "arraybuffer";
      viewer.onmessage = (e) => messages.push(typeof e.data === "string" ? e.data : new Uint8Array(e.data as ArrayBuffer));
      await waitFor(`init + fragments through ${base}`, () => messages.length >= 3 || undefined, 20_000);
      viewer.close();
      return messages;
    };
    for (const base of [nodes.node2.url, front]) {
      const messages = await watch(base);
      expect(JSON.parse(messages[0] as string)).toMatchObject({ type: "init" });
      expect(new TextDecoder().decode((messages[1] as Uint8Array).subarray(4, 8))).toBe("ftyp");
      expect(new TextDecoder().decode((messages[2] as Uint8Array).subarray(4, 8))).toMatch(/moof|styp/);
    }

    // The growing MP4 served by node 3 (ranges relayed too).
    const mp4 = await api(nodes.node3.url, `/v1/recordings/${id}/video.mp4`);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get("x-deskreel-node")).toBe("node1");
    const growing = new Uint8Array(await mp4.arrayBuffer());
    expect(new TextDecoder().decode(growing.subarray(4, 8))).toBe("ftyp");
    const ranged = await api(nodes.node3.url, `/v1/recordings/${id}/video.mp4`, { headers: { range: "bytes=0-7" } });
    expect(ranged.status).toBe(206);
    expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(growing.subarray(0, 8));
    // The peer routes take node-signed requests only: a user's token is not enough, nor a wrong secret.
    expect((await api(nodes.node1.url, `/internal/v1/recordings/${id}/recording.tar`)).status).toBe(401);
    const { nodeRequestHeaders } = await import("../../src/cluster/nodeAuth.ts");
    const peerUrl = `${nodes.node1.url}/internal/v1/recordings/${id}/recording.tar`;
    expect((await fetch(peerUrl, { headers: nodeRequestHeaders("not-the-cluster-secret-but-long-enough-000", "node2", "GET", peerUrl) })).status).toBe(401);
    expect((await fetch(peerUrl, { headers: nodeRequestHeaders(SECRET, "node2", "GET", peerUrl) })).status).toBe(200);
    // And its recording so far, through node 2.
    expect((await api(nodes.node2.url, `/v1/recordings/${id}/recording.tar`)).status).toBe(200);

    // Restarting node 2 leaves node 3's session live.
    await nodes.node2.proc!.stop();
    await startNode("node2");
    const node3Live = await json<{ items: Item[] }>(nodes.node3.url, "/v1/recordings?desktop=WIN-NODE3");
    expect(node3Live.items[0].status).toBe("live");

    // An import sent to node 3 is encoded and ready.
    const sample = await recordingOf(sampleRecords(), "cluster-import-0001", "WIN-IMPORTED");
    const imported = await api(nodes.node3.url, "/v1/recordings/import", {
      method: "POST", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(sample),
    });
    expect(imported.status).toBe(201);

    // Node 1 dies with its disk.
    await Bun.sleep(3_000);
    const killedAt = Date.now();
    await nodes.node1.proc!.kill();
    sending = false;
    await pointer;
    const lastBeforeKill = Math.min(lastSentMs, killedAt);
    rmSync(nodes.node1.env.DESKREEL_DATA, { recursive: true, force: true });

    const interrupted = await waitFor("node 2 to list node 1's session interrupted", async () => {
      const it = await json<Item>(nodes.node2.url, `/v1/recordings/${id}`);
      return it.status === "interrupted" && it.video.state !== "encoding" ? it : undefined;
    }, 30_000);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(interrupted.video.state).toBe("ready");

    const tar = await api(nodes.node2.url, `/v1/recordings/${id}/recording.tar`);
    expect(tar.status).toBe(200);
    const { events } = parseProtostream(new Uint8Array(await tar.arrayBuffer()));
    expect(events[0].type).toBe("windows.desktop.session.start");
    const lastEventMs = Math.max(...events.map((e) => e.time.getTime()));
    const lostMs = lastBeforeKill - lastEventMs;
    console.log(`node 1 killed: the recording ends ${lostMs} ms before the last message sent`);
    expect(lostMs).toBeLessThanOrEqual(5_000);

    const video = await api(nodes.node2.url, `/v1/recordings/${id}/video.mp4`);
    expect(video.status).toBe(200);
    const file = join(dirs[1], "recovered.mp4");
    await Bun.write(file, await video.arrayBuffer());
    const probe = (await ffprobeJson(file, ["-show_format"])) as { format: { duration: string } };
    const videoEndMs = new Date(interrupted.start).getTime() + Number(probe.format.duration) * 1000;
    console.log(`node 1 killed: the video ends ${lastBeforeKill - videoEndMs} ms before the last message sent`);
    expect(lastBeforeKill - videoEndMs).toBeLessThanOrEqual(5_000);

    const ready = await waitFor("the import on node 3 to be ready", async () => {
      const it = await json<Item>(front, "/v1/recordings/cluster-import-0001");
      return it.video.state === "encoding" ? undefined : it;
    }, 90_000);
    expect(ready.video.state).toBe("ready");
    await other.close();
  }, 240_000);
});
