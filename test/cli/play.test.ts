// `deskreel play`: an SSH recording's output, byte for byte, at its own pace; idle gaps capped on request;
// Ctrl-C stops cleanly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeOneOf } from "../../src/recording/eventCodec.ts";
import { EventType, blankMetadata } from "../../src/recording/eventTypes.ts";
import { encodePart } from "../../src/recording/protostream.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { SshIngestClient } from "../ssh/sshClient.ts";
import { buildSshRecording, terminalChunks } from "../ssh/sshRecording.ts";
import { follow, runCli, spawnCli } from "./cliHarness.ts";

let server: TestServer;
let dir: string;

function recordingFile(name: string, chunks: Array<{ delayMs: number; data: Uint8Array }>): string {
  const path = join(dir, name);
  writeFileSync(path, buildSshRecording({ sessionId: `play-${name}`, user: "u", login: "l", host: "h", startMs: Date.now(), chunks, eventsPerPart: 5 }));
  return path;
}

const allBytes = (chunks: Array<{ data: Uint8Array }>) => Buffer.concat(chunks.map((c) => c.data));

beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), "deskreel-cli-play-"));
});

afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("deskreel play", () => {
  test("writes exactly the recorded bytes, with the recorded timing", async () => {
    const chunks = terminalChunks(15, 9); // escape sequences and bytes that are not UTF-8
    const lastDelay = chunks.at(-1)?.delayMs ?? 0;
    expect(lastDelay).toBeGreaterThan(500);
    const run = await runCli(["play", recordingFile("timed.tar", chunks)]);
    expect(run.code).toBe(0);
    expect(Buffer.from(run.bytes).equals(allBytes(chunks))).toBe(true);
    expect(run.ms).toBeGreaterThan(lastDelay);
    const fast = await runCli(["play", "--speed", "8", recordingFile("timed.tar", chunks)]);
    expect(Buffer.from(fast.bytes).equals(allBytes(chunks))).toBe(true);
    expect(fast.ms).toBeLessThan(run.ms - lastDelay / 2);
  });

  test("--skip-idle caps long pauses", async () => {
    const text = (s: string) => new TextEncoder().encode(s);
    const chunks = [
      { delayMs: 0, data: text("$ sleep 8\r\n") },
      { delayMs: 8000, data: text("$ echo done\r\ndone\r\n") },
      { delayMs: 8100, data: text("$ exit\r\n") },
    ];
    const run = await runCli(["play", "--skip-idle", "--max-idle", "0.3", recordingFile("idle.tar", chunks)]);
    expect(run.code).toBe(0);
    expect(Buffer.from(run.bytes).equals(allBytes(chunks))).toBe(true);
    expect(run.ms).toBeLessThan(3000);
    expect(run.ms).toBeGreaterThan(350);
  });

  test("plays a session recorded over the ingest socket, by id", async () => {
    const client = await SshIngestClient.connect(server.url, ADMIN_TOKEN, { host: "web-9", user: "fay", login: "root", session_id: "play-by-id" });
    const sent = terminalChunks(6, 4).map((c) => c.data);
    for (const data of sent) {
      client.output(data);
      await Bun.sleep(10);
    }
    await client.close();
    await waitFor("the recording complete", async () => ((await server.json<{ status: string }>("/v1/recordings/play-by-id")).status === "complete" ? true : undefined));
    const run = await runCli(["play", "play-by-id", "--speed", "10"], { server: server.url, token: ADMIN_TOKEN });
    expect(run.code).toBe(0);
    expect(Buffer.from(run.bytes).equals(Buffer.concat(sent))).toBe(true);
  });

  test("Ctrl-C stops cleanly: exit 0, what was played so far and nothing else", async () => {
    const text = (i: number) => new TextEncoder().encode(`tick ${i}\r\n`);
    const chunks = Array.from({ length: 10 }, (_, i) => ({ delayMs: i * 1000, data: text(i) }));
    const proc = spawnCli(["play", recordingFile("long.tar", chunks)]);
    const followed = follow(proc);
    // Stop it while it waits for the third chunk (due 2 s in).
    await followed.until("the second chunk", (out) => out.includes("tick 1"));
    const stoppedAt = performance.now();
    proc.kill("SIGINT");
    const run = await followed.result();
    expect(performance.now() - stoppedAt).toBeLessThan(1000);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/stopped after [23] chunk/); // two seen on stdout; a third only if the stop came late
    const full = allBytes(chunks);
    expect(run.bytes.length).toBeGreaterThan(0);
    expect(run.bytes.length).toBeLessThan(full.length);
    expect(Buffer.from(run.bytes).equals(full.subarray(0, run.bytes.length))).toBe(true);
  });

  test("a desktop recording is refused with a pointer to export", async () => {
    const event = {
      ...blankMetadata(), type: EventType.DesktopRecording, message: new Uint8Array([3, 0, 0, 0, 1, 0, 0, 0, 1]), tdpbMessage: null, delayMs: 0,
    };
    const path = join(dir, "desktop.tar");
    writeFileSync(path, encodePart([encodeOneOf(event)]));
    const run = await runCli(["play", path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("desktop recording");
    expect(run.stderr).toContain("deskreel export");
    expect(run.bytes.length).toBe(0);
  });

  test("bad options are usage errors", async () => {
    expect((await runCli(["play", "--speed", "0", "x.tar"])).code).toBe(2);
    expect((await runCli(["play"])).code).toBe(2);
  });
});
