// `deskreel import` and `deskreel verify` as real processes, on recordings built with the recording
// module's encoder: good ones, one cut short, one with a corrupt part, one that is not a recording.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeOneOf } from "../../src/recording/eventCodec.ts";
import { encodePart } from "../../src/recording/protostream.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/server.ts";
import { encodeRecording, sshRecordingEvents, terminalChunks } from "../ssh/sshRecording.ts";
import { hasScript, runCli, runCliInTty } from "./cliHarness.ts";

let server: TestServer;
let dir: string;
const cli = (args: string[]) => runCli(args, { server: server.url, token: ADMIN_TOKEN });

const GOOD1 = "7f2c1a30-0000-4000-8000-000000000001";
const GOOD2 = "7f2c1a30-0000-4000-8000-000000000002";
const events1 = sshRecordingEvents({ sessionId: GOOD1, user: "erin", login: "root", host: "db-1", startMs: Date.parse("2026-01-05T09:00:00Z"), chunks: terminalChunks(30, 1) });
const events2 = sshRecordingEvents({ sessionId: GOOD2, user: "erin", login: "admin", host: "db-2", startMs: Date.parse("2026-01-05T10:00:00Z"), chunks: terminalChunks(10, 2) });
const PER_PART = 8;
/** Where each part of recording 1 starts. */
const partStarts: number[] = [];
const good1 = encodeRecording(events1, PER_PART);
{
  let at = 0;
  for (let i = 0; i < events1.length; i += PER_PART) {
    partStarts.push(at);
    at += encodePart(events1.slice(i, i + PER_PART).map(encodeOneOf)).length;
  }
}
const lastPart = partStarts.at(-1) ?? 0;
const cut = good1.slice(0, lastPart + 30);
const corrupt = good1.slice();
corrupt.fill(0x5a, partStarts[1] + 24 + 12, partStarts[1] + 24 + 40);

beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), "deskreel-cli-import-"));
  mkdirSync(join(dir, "batch/nested"), { recursive: true });
  writeFileSync(join(dir, "batch/good1.tar"), good1);
  writeFileSync(join(dir, "batch/nested/good2.tar"), encodeRecording(events2, 3));
  writeFileSync(join(dir, "batch/cut.tar"), cut);
  writeFileSync(join(dir, "batch/corrupt.tar"), corrupt);
  writeFileSync(join(dir, "batch/junk.tar"), "this is not a Teleport recording, only some text\n");
  writeFileSync(join(dir, "batch/notes.txt"), "not picked up: only *.tar files are imported from a directory\n");
});

afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("deskreel import", () => {
  test("imports the good files of a directory, and says which failed, why and at which byte (exit 1)", async () => {
    const run = await cli(["import", join(dir, "batch")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("importing 5 files");
    expect(run.stdout).toContain("imported 2 of 5 files (0 skipped, 3 failed)");
    const summary = run.stdout.slice(run.stdout.indexOf("imported 2 of 5"));
    const line = (name: string) => summary.split("\n").find((l) => l.includes(name)) ?? "";
    expect(line("good1.tar")).toMatch(new RegExp(`^  ok\\s+.*good1\\.tar\\s+→ ${GOOD1}$`));
    expect(line("good2.tar")).toContain(`→ ${GOOD2}`);
    expect(line("cut.tar")).toMatch(new RegExp(`^  FAILED\\s+.*cut\\.tar\\s+at byte ${lastPart}: .*truncated`));
    expect(line("corrupt.tar")).toMatch(new RegExp(`FAILED\\s+.*corrupt\\.tar\\s+at byte ${partStarts[1] + 24}: .*gzip`));
    expect(line("junk.tar")).toMatch(/FAILED\s+.*junk\.tar\s+at byte 0: .*version/);
    expect(summary).not.toContain("notes.txt");
    // Progress without a terminal: plain lines, one per file at least, no redraws.
    expect(run.stdout).not.toMatch(/[\r\x1b]/);
    expect(run.stdout).toMatch(/^\[2\/5\] .*cut\.tar: \d+% /m);

    const listed = JSON.parse((await cli(["ls", "--kind", "ssh", "--json"])).stdout) as { items: Array<{ id: string; desktop_name: string }> };
    expect(listed.items.map((i) => [i.id, i.desktop_name]).sort()).toEqual([[GOOD1, "db-1"], [GOOD2, "db-2"]]);
  });

  test("a file already imported is skipped, not failed (exit 0); --json reports it", async () => {
    const run = await cli(["import", "--json", join(dir, "batch/good1.tar")]);
    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout) as Array<{ file: string; status: string; error?: string }>;
    expect(results).toEqual([{ file: join(dir, "batch/good1.tar"), status: "skipped", error: `recording ${GOOD1} already exists` }]);
  });

  test("without a server it says one is needed", async () => {
    const run = await runCli(["import", join(dir, "batch/good1.tar")], { server: "http://127.0.0.1:9", token: ADMIN_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("import needs a running server");
  });

  test.skipIf(!hasScript)("on a terminal the bar is redrawn in place", async () => {
    const run = await runCliInTty(["import", join(dir, "batch/cut.tar"), join(dir, "batch/junk.tar")], { server: server.url, token: ADMIN_TOKEN });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("\r\x1b[K[1/2]");
    expect(run.stdout).toContain("█");
    expect(run.stdout).toContain("imported 0 of 2 files");
  });
});

describe("deskreel verify", () => {
  test("a good file: counts, duration, OK (exit 0)", async () => {
    const run = await cli(["verify", join(dir, "batch/good1.tar")]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^events\s+32: print 30, session\.end 1, session\.start 1$/m);
    expect(run.stdout).toMatch(/^session\s+7f2c1a30-0000-4000-8000-000000000001 \(ssh\)$/m);
    const lastDelay = terminalChunks(30, 1).at(-1)?.delayMs ?? 0;
    expect(run.stdout).toContain(`duration  ${(lastDelay / 1000).toFixed(1)}s of playback`);
    expect(run.stdout).toMatch(/^problems\s+none$/m);
    expect(run.stdout).toMatch(/^result\s+OK$/m);
  });

  test("by id, from the server; --json for scripts", async () => {
    const run = await cli(["verify", GOOD2, "--json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { verdict: string; source: string; counts: Record<string, number>; parts: number; kind: string };
    expect(report.verdict).toBe("ok");
    expect(report.kind).toBe("ssh");
    expect(report.counts).toEqual({ "session.start": 1, print: 10, "session.end": 1 });
    expect(report.source).toBe(`recording ${GOOD2} from server ${server.url}`);
  });

  test("a truncated file: what was readable, where it was cut (exit 1)", async () => {
    const run = await cli(["verify", join(dir, "batch/cut.tar")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^result\\s+TRUNCATED: the last part, from byte ${lastPart}, is incomplete$`, "m"));
    expect(run.stdout).toMatch(new RegExp(`^events\\s+${lastPart > 0 ? (partStarts.length - 1) * PER_PART : 0}: `, "m"));
    expect(run.stdout).toContain("no session end event");
  });

  test("a corrupt part: malformed at its byte (exit 1)", async () => {
    const run = await cli(["verify", join(dir, "batch/corrupt.tar")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^result\\s+MALFORMED at byte ${partStarts[1] + 24}: part data is not valid gzip`, "m"));
  });

  test("gaps are problems, not malformation; --strict makes them fatal", async () => {
    const gappy = events1.filter((e) => e.index !== 5);
    const file = join(dir, "gappy.tar");
    writeFileSync(file, encodeRecording(gappy, PER_PART));
    const lenient = await cli(["verify", file]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain("index gap: 1 event(s) missing between 4 and 6");
    expect(lenient.stdout).toMatch(/^result\s+readable, with problems$/m);
    expect((await cli(["verify", "--strict", file])).code).toBe(1);
  });

  test("an unknown id: exit 1", async () => {
    const run = await cli(["verify", "no-such-recording"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("recording no-such-recording not found");
  });
});
