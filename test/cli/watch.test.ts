// `deskreel watch` and GET /v1/status: live sessions of both kinds with their counters, the desktop's
// encode lag and frame rate, and the encoder pool's load.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StatusBody } from "../../src/api/status.ts";
import { sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { SshIngestClient } from "../ssh/sshClient.ts";
import { follow, runCli, spawnCli } from "./cliHarness.ts";

let server: TestServer;
let ssh: SshIngestClient;
let desktop: IngestClient;
const SSH_ID = "watch-ssh-session";
const DESKTOP_ID = "watch-desk-session";
const SSH_BYTES = 3 * 1000;

const cli = (args: string[]) => runCli(args, { server: server.url, token: ADMIN_TOKEN });

beforeAll(async () => {
  server = await startTestServer();
  ssh = await SshIngestClient.connect(server.url, ADMIN_TOKEN, { host: "bastion", user: "gus", login: "root", session_id: SSH_ID });
  for (let i = 0; i < 3; i++) ssh.output(new Uint8Array(1000).fill(65 + i));
  desktop = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-WATCH", user: "hana", session_id: DESKTOP_ID });
  await desktop.replay(sampleUntil(1000), 4);
  await waitFor("both sessions in the status", async () => {
    const status = await server.json<StatusBody>("/v1/status");
    const s = status.sessions.find((x) => x.id === SSH_ID);
    return status.sessions.length === 2 && s?.bytes === SSH_BYTES ? true : undefined;
  });
}, 20_000);

afterAll(async () => {
  await ssh?.close();
  await desktop?.close();
  await server?.dispose();
});

describe("GET /v1/status", () => {
  test("joins the live sessions with the encoder pool's stats", async () => {
    const status = await server.json<StatusBody>("/v1/status");
    const byId = new Map(status.sessions.map((s) => [s.id, s]));
    const d = byId.get(DESKTOP_ID);
    const s = byId.get(SSH_ID);
    expect(d).toMatchObject({ kind: "desktop", user: "hana", desktop: "WIN-WATCH", messages: sampleUntil(1000).length, rejected: 0 });
    expect(d?.video?.worker).toBe(0);
    expect(typeof d?.video?.lag_ms).toBe("number");
    expect(typeof d?.video?.fps).toBe("number");
    expect(s).toMatchObject({ kind: "ssh", user: "gus", login: "root", desktop: "bastion", messages: 3, bytes: SSH_BYTES, video: null });
    expect(status.pool.workers.length).toBe(1);
    expect(status.pool.sessions).toBe(1);
  });

  test("is for admins and auditors only", async () => {
    const userToken = await server.services.auth.createToken("watch-user", "user");
    const res = await server.get("/v1/status", { authorization: `Bearer ${userToken}` });
    expect(res.status).toBe(403);
    const run = await runCli(["watch", "--once"], { server: server.url, token: userToken });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("forbidden");
    const auditorToken = await server.services.auth.createToken("watch-auditor", "auditor");
    expect((await server.get("/v1/status", { authorization: `Bearer ${auditorToken}` })).status).toBe(200);
  });
});

describe("deskreel watch", () => {
  test("--once shows both live sessions and the pool's load", async () => {
    const run = await cli(["watch", "--once"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`deskreel watch: ${server.url}`);
    expect(run.stdout).toMatch(/^encoder pool: 1 worker, busy \d+%, 1 video session/m);
    expect(run.stdout).toContain("2 live sessions:");
    expect(run.stdout).toMatch(/^ID\s+KIND\s+USER\s+DESKTOP\/HOST\s+DURATION\s+MSGS\s+BYTES\s+REJ\s+LAG\s+FPS\s+WORKER$/m);
    expect(run.stdout).toMatch(/^watch-ss\S*\s+ssh\s+gus\s+bastion\s+\S+\s+3\s+3\.0 kB\s+0\s+-\s+-\s+-$/m);
    expect(run.stdout).toMatch(/^watch-de\S*\s+desktop\s+hana\s+WIN-WATCH\s+\S+\s+\d+\s+\S+ \S+\s+0\s+\d+\.\ds\s+\d+\.\d\s+0$/m);
  });

  test("--once --json is the status body", async () => {
    const run = await cli(["watch", "--once", "--json"]);
    const status = JSON.parse(run.stdout) as StatusBody;
    expect(status.sessions.map((s) => s.id).sort()).toEqual([DESKTOP_ID, SSH_ID].sort());
  });

  test("refreshes until Ctrl-C; without a terminal each refresh is a plain block", async () => {
    const proc = spawnCli(["watch", "--interval", "0.3"], { server: server.url, token: ADMIN_TOKEN });
    const followed = follow(proc);
    await followed.until("two refreshes", (out) => out.split("deskreel watch: ").length - 1 >= 2);
    proc.kill("SIGINT");
    const run = await followed.result();
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/\x1b/);
    const snapshots = run.stdout.split("deskreel watch: ").length - 1;
    expect(snapshots).toBeGreaterThanOrEqual(2);
  });

  test("needs a server", async () => {
    const run = await runCli(["watch", "--once"], { server: "http://127.0.0.1:9", token: ADMIN_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("watch needs a running server");
  });
});
