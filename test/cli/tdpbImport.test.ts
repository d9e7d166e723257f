// `deskreel verify` and `deskreel import` as real processes on a TDPB recording (field 4): the summary
// counts its Envelope payloads and finds the screen; the import lists it with its markers and video.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleUntil } from "../support/corpus.ts";
import { recordingOf } from "../support/recordings.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { asTdpb } from "../support/tdpb.ts";
import { runCli } from "./cliHarness.ts";

const SID = "tdpb-cli-0001";
let server: TestServer;
let dir: string;
let file: string;

beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), "deskreel-cli-tdpb-"));
  file = join(dir, `${SID}.tar`);
  // The first 30 s of the sample, as TDPB: tiles, input, the clipboard copy at 28.3 s.
  writeFileSync(file, await recordingOf(asTdpb(sampleUntil(30_000)), SID, "WIN-TDPB-CLI"));
}, 60_000);

afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test("verify summarises a TDPB recording: payload counts, screen size, no problems", async () => {
  const run = await runCli(["verify", file]);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/tdpb\s+png_frame \d+, mouse_move \d+, mouse_button \d+, client_screen_spec 1, clipboard_data 1/);
  expect(run.stdout).toMatch(/screen\s+1280×720/);
  expect(run.stdout).toMatch(/result\s+OK/);
});

test("import lists it complete with its clipboard marker and a ready video", async () => {
  const run = await runCli(["import", file], { server: server.url, token: ADMIN_TOKEN });
  expect(run.code).toBe(0);
  const item = await waitFor("the imported TDPB recording's video", async () => {
    const it = await server.json<{ status: string; width: number; video: { state: string }; marker_counts: Record<string, number> }>(`/v1/recordings/${SID}`);
    return it.video.state === "encoding" ? undefined : it;
  }, 60_000);
  expect(item.status).toBe("complete");
  expect(item.width).toBe(1280);
  expect(item.marker_counts.clipboard).toBe(1);
  expect(item.video.state).toBe("ready");
}, 90_000);
