// `deskreel export <id> --from --to` as a real process: the clip from the server, the same clip cut from
// the data dir when no server answers, and usage errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { decodeAll, probe } from "../video/helpers/ffmpeg.ts";
import { runCli } from "./cliHarness.ts";

let server: TestServer;
let out: string;
const ID = "cli-clip-1";

async function tags(path: string): Promise<Record<string, string>> {
  const proc = Bun.spawn(["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", path], { stdout: "pipe", stderr: "pipe" });
  return ((await new Response(proc.stdout).json()) as { format?: { tags?: Record<string, string> } }).format?.tags ?? {};
}

beforeAll(async () => {
  server = await startTestServer();
  out = mkdtempSync(join(tmpdir(), "deskreel-cli-clip-"));
  // eight seconds of the real capture in real time: keyframes every 3 s, so a clip from 1.2 s starts mid-group
  const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-CLIP", user: "bob", session_id: ID });
  await client.replay(sampleUntil(8000), 1);
  await client.close();
  await waitFor("the desktop video", async () => {
    const item = await server.json<{ video: { state: string } }>(`/v1/recordings/${ID}`);
    return item.video.state === "ready" ? item : undefined;
  });
}, 60_000);

afterAll(async () => {
  await server?.dispose();
  rmSync(out, { recursive: true, force: true });
});

describe("deskreel export --from --to", () => {
  test("downloads exactly that part from the server", async () => {
    const file = join(out, "part.mp4");
    const run = await runCli(["export", ID, "--from", "1.2", "--to", "0:05.5", "-o", file], { server: server.url, token: ADMIN_TOKEN });
    expect(run.stderr).toContain("(from server");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${file}`);
    const probed = await probe(file);
    expect(Math.abs(probed.durationMs - 4300)).toBeLessThanOrEqual(100);
    expect((await decodeAll(file)).errors).toBe("");
    expect(await tags(file)).toMatchObject({ "com.deskreel.recording_id": ID, "com.deskreel.clip_from_ms": "1200", "com.deskreel.clip_to_ms": "5500" });
  }, 30_000);

  test("cuts the same clip from the data dir when no server answers", async () => {
    const file = join(out, "local.mp4");
    const run = await runCli(["export", ID, "--from", "1200ms", "--to", "5.5s", "-o", file, "--data", server.dataDir], { server: "http://127.0.0.1:9" });
    expect(run.stderr).toContain("(from data dir");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/re-encoded, \d+ copied/);
    const probed = await probe(file);
    expect(Math.abs(probed.durationMs - 4300)).toBeLessThanOrEqual(100);
    expect(await tags(file)).toMatchObject({ "com.deskreel.clip_from_ms": "1200", "com.deskreel.clip_to_ms": "5500" });
  }, 30_000);

  test("the server's reason when the span is past the end; usage errors for bad times", async () => {
    const late = await runCli(["export", ID, "--from", "2", "--to", "1:00", "-o", join(out, "late.mp4")], { server: server.url, token: ADMIN_TOKEN });
    expect(late.code).not.toBe(0);
    expect(late.stderr).toMatch(/clip ends at 60000 ms but recording cli-clip-1 lasts \d+ ms/);
    for (const [from, to, message] of [["3", "2", /must be after/], ["x", "2", /expected a time/], ["1:75", "2:00", /seconds must be below 60/]] as const) {
      const run = await runCli(["export", ID, "--from", from, "--to", to], { server: server.url, token: ADMIN_TOKEN });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    const half = await runCli(["export", ID, "--from", "3"], { server: server.url, token: ADMIN_TOKEN });
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("both --from and --to");
  }, 30_000);
});
