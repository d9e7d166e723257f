// `deskreel demo --tdpb` against a real server: the same synthetic session as the legacy demo, spoken
// in TDPB, is recorded in field 4, marked the same way, and plays.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runDemoAgent } from "../../tools/demo/agent.ts";
import { parseDemoArgs } from "../../tools/demo/command.ts";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { decodeTdpb } from "../../src/tdp/tdpb/codec.ts";
import { ffprobeJson } from "../support/corpus.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";

interface Item {
  status: string; width: number; height: number; duration_ms: number;
  video: { state: string }; marker_counts: Record<string, number>; markers: Array<{ kind: string; detail: string }>;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

async function demoSession(sessionId: string, tdpb: boolean): Promise<Item> {
  const result = await runDemoAgent({
    server: server.url, token: ADMIN_TOKEN, desktop: `WIN-DEMO-${tdpb ? "TDPB" : "TDP"}`, user: "carol", login: "carol.w",
    sessionId, width: 640, height: 360, durationS: 12, seed: 7, realtime: false, tdpb, log: () => undefined,
  });
  expect(result.alerts).toEqual([]);
  expect(result.closedByServer).toBe(false);
  return waitFor(`demo session ${sessionId} complete`, async () => {
    const item = await server.json<Item>(`/v1/recordings/${sessionId}`);
    return item.status !== "live" && item.video.state !== "encoding" ? item : undefined;
  }, 60_000);
}

describe("deskreel demo --tdpb", () => {
  let tdpb: Item;
  let legacy: Item;
  beforeAll(async () => {
    [tdpb, legacy] = await Promise.all([demoSession("demo-tdpb-0001", true), demoSession("demo-legacy-0001", false)]);
  }, 120_000);

  test("the flag is parsed", () => {
    expect(parseDemoArgs(["--tdpb"], {}).tdpb).toBe(true);
    expect(parseDemoArgs([], {}).tdpb).toBe(false);
  });

  test("is recorded as TDPB only: ServerHello, screen spec, PNGFrame tiles and input, in field 4", async () => {
    const bytes = new Uint8Array(await (await server.get("/v1/recordings/demo-tdpb-0001/recording.tar")).arrayBuffer());
    const frames = parseProtostream(bytes, { allowTruncated: false }).events.flatMap((e) => (e.type === "desktop.recording" ? [e] : []));
    expect(frames.length).toBeGreaterThan(10);
    expect(frames.every((f) => f.message === null && f.tdpbMessage !== null)).toBe(true);
    const kinds = frames.map((f) => decodeTdpb(f.tdpbMessage!).kind);
    expect(kinds.slice(0, 2)).toEqual(["serverHello", "clientScreenSpec"]);
    expect(kinds.filter((k) => k === "pngFrame").length).toBeGreaterThan(10);
    expect(new Set(kinds).has("clientHello")).toBe(false); // Teleport does not record it either
  });

  test("has the legacy demo's size, markers and a playable video of the same length", async () => {
    expect(tdpb.status).toBe("complete");
    expect([tdpb.width, tdpb.height]).toEqual([640, 360]);
    expect(tdpb.markers.map((m) => [m.kind, m.detail])).toEqual(legacy.markers.map((m) => [m.kind, m.detail]));
    expect(tdpb.marker_counts.resize).toBe(1);
    expect(tdpb.video.state).toBe("ready");
    const path = join(server.dataDir, "demo-tdpb.mp4");
    await Bun.write(path, await (await server.get("/v1/recordings/demo-tdpb-0001/video.mp4")).arrayBuffer());
    const probe = (await ffprobeJson(path, ["-show_streams"])) as { streams: Array<{ codec_name: string; width: number; height: number }> };
    expect(probe.streams[0]).toMatchObject({ codec_name: "h264", width: 640, height: 360 });
  });
});
