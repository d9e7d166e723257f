// `deskreel ls` and `deskreel export` as real processes against a real server (and its data dir).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ffprobeJson, sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { SshIngestClient } from "../ssh/sshClient.ts";
import { follow, runCli, spawnCli } from "./cliHarness.ts";

interface Item { id: string; kind: string; user: string; desktop_name: string; status: string; duration_ms: number; video: { state: string; duration_ms: number } }

let server: TestServer;
let out: string;
const DESKTOP_ID = "cli-desktop-1";
const SSH_ID = "cli-ssh-1";
let desktop: Item;

const cli = (args: string[]) => runCli(args, { server: server.url, token: ADMIN_TOKEN });

beforeAll(async () => {
  server = await startTestServer();
  out = mkdtempSync(join(tmpdir(), "deskreel-cli-"));
  const ssh = await SshIngestClient.connect(server.url, ADMIN_TOKEN, { host: "web-1", user: "alice", login: "root", session_id: SSH_ID });
  ssh.output("ls -la\r\n");
  await ssh.close();
  // Four seconds of the real capture, replayed twice as fast: a 2 s recording.
  const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-CLI", user: "bob", session_id: DESKTOP_ID });
  await client.replay(sampleUntil(4000), 2);
  await client.close();
  desktop = await waitFor("the desktop video", async () => {
    const item = await server.json<Item>(`/v1/recordings/${DESKTOP_ID}`);
    return item.video.state === "ready" ? item : undefined;
  });
}, 30_000);

afterAll(async () => {
  await server?.dispose();
  rmSync(out, { recursive: true, force: true });
});

describe("deskreel ls", () => {
  test("prints an aligned table of both kinds, newest first, and says it asked the server", async () => {
    const run = await cli(["ls"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+KIND\s+USER\s+DESKTOP\/HOST\s+START\s+DURATION\s+STATUS\s+VIDEO\s+MARKERS$/);
    const rows = lines.slice(1, 3);
    expect(rows[0]).toMatch(new RegExp(`^${DESKTOP_ID}\\s+desktop\\s+bob\\s+WIN-CLI\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\d+\\.\\ds\\s+complete\\s+ready \\d`));
    expect(rows[1]).toMatch(new RegExp(`^${SSH_ID}\\s+ssh\\s+alice\\s+web-1\\s+.*complete\\s+-\\s+-$`));
    // Columns line up: every row's KIND starts where the header's does.
    const kindAt = lines[0].indexOf("KIND");
    for (const row of rows) expect(row.slice(kindAt, kindAt + 3)).toMatch(/^(des|ssh)/);
    expect(lines[3]).toBe(`2 recordings from server ${server.url}`);
  });

  test("--json gives the API items, filtered", async () => {
    const run = await cli(["ls", "--json", "--kind", "ssh"]);
    expect(run.code).toBe(0);
    const page = JSON.parse(run.stdout) as { items: Item[]; next: string | null };
    expect(page.items.map((i) => [i.id, i.kind, i.desktop_name])).toEqual([[SSH_ID, "ssh", "web-1"]]);
    expect(page.next).toBeNull();
    expect(run.stderr).toContain(`from server ${server.url}`);
  });

  test("--limit pages; --all follows the cursors", async () => {
    const one = await cli(["ls", "--limit", "1"]);
    expect(one.stdout).toContain("1 recording from server");
    expect(one.stdout).toMatch(/more: --cursor \S+ \(or --all\)/);
    const all = JSON.parse((await cli(["ls", "--limit", "1", "--all", "--json"])).stdout) as { items: Item[] };
    expect(all.items.map((i) => i.id)).toEqual([DESKTOP_ID, SSH_ID]);
  });

  test("reads the data dir when no server answers, and says so", async () => {
    const run = await runCli(["ls", "--user", "bob", "--data", server.dataDir], { server: "http://127.0.0.1:9", token: ADMIN_TOKEN });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(DESKTOP_ID);
    expect(run.stdout).not.toContain(SSH_ID);
    expect(run.stdout).toContain(`1 recording from data dir ${server.dataDir} (no server at http://127.0.0.1:9)`);
  });

  test("bad filters are usage errors (2); a missing token is explained (1)", async () => {
    const bad = await cli(["ls", "--status", "sleeping"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("status must be one of");
    const unknown = await cli(["ls", "--colour"]);
    expect(unknown.code).toBe(2);
    const anonymous = await runCli(["ls"], { server: server.url });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain("set DESKREEL_TOKEN");
  });

  test("help, unknown commands and demo delegation", async () => {
    expect((await cli(["ls", "--help"])).stdout).toContain("usage: deskreel ls");
    expect((await cli([])).code).toBe(2);
    expect((await cli(["frobnicate"])).code).toBe(2);
    const demo = await cli(["demo", "--help"]);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain("usage: deskreel demo");
  });
});

describe("deskreel export", () => {
  test("downloads an H.264 MP4 of the recording's duration, with plain progress lines when not a TTY", async () => {
    const file = join(out, "desktop.mp4");
    const run = await cli(["export", DESKTOP_ID, "-o", file]);
    expect(run.code).toBe(0);
    const probe = await ffprobeJson(file, ["-show_streams", "-show_format"]);
    const streams = probe.streams as Array<{ codec_name: string }>;
    expect(streams[0].codec_name).toBe("h264");
    const seconds = Number((probe.format as { duration: string }).duration);
    expect(Math.abs(seconds * 1000 - desktop.duration_ms)).toBeLessThan(250);
    const lastSent = sampleUntil(4000).at(-1)?.delayMs ?? 0;
    expect(desktop.duration_ms).toBeGreaterThan(lastSent / 2 - 100);
    // Not a terminal: no carriage returns or escape codes, a few lines with percentages, then the result.
    expect(run.stdout).not.toMatch(/[\r\x1b]/);
    expect(run.stdout).toMatch(/export desktop\.mp4: 100% /);
    expect(run.stdout).toContain(`wrote ${file}`);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  test("names the file as the server does when -o is not given", async () => {
    const run = await runCli(["export", DESKTOP_ID], { server: server.url, token: ADMIN_TOKEN, cwd: out });
    expect(run.code).toBe(0);
    const name = /wrote (WIN-CLI-\S+\.mp4)/.exec(run.stdout)?.[1];
    expect(name).toBeDefined();
    expect(existsSync(join(out, name ?? "missing"))).toBe(true);
  });

  test("copies a finished MP4 straight from the data dir when no server answers", async () => {
    const file = join(out, "local.mp4");
    const run = await runCli(["export", DESKTOP_ID, "-o", file, "--data", server.dataDir], { server: "http://127.0.0.1:9" });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("data dir");
    const served = new Uint8Array(await (await server.get(`/v1/recordings/${DESKTOP_ID}/video.mp4`)).arrayBuffer());
    expect(Buffer.from(await Bun.file(file).bytes()).equals(Buffer.from(served))).toBe(true);
  });

  test("an SSH recording has no video: exit 1 with a pointer to play", async () => {
    const run = await cli(["export", SSH_ID, "-o", join(out, "ssh.mp4")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`deskreel play ${SSH_ID}`);
  });

  test("waits while the session is live, shows that, then downloads the finished MP4", async () => {
    const id = "cli-desktop-live";
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-LIVE", user: "carol", session_id: id });
    await client.replay(sampleUntil(1500), 3);
    const file = join(out, "live.mp4");
    const run0 = follow(spawnCli(["export", id, "-o", file], { server: server.url, token: ADMIN_TOKEN }));
    // It says it is waiting, and writes nothing, for as long as the session is live.
    await run0.until("the live-session notice", (out) => /waiting: session live, \d/.test(out));
    expect(existsSync(file)).toBe(false);
    await client.close();
    const run = await run0.result();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/waiting: session live, \d/);
    expect(run.stdout).toContain("video ready");
    const streams = (await ffprobeJson(file, ["-show_streams"])).streams as Array<{ codec_name: string }>;
    expect(streams[0].codec_name).toBe("h264");
  }, 20_000);
});
