// POST /v1/recordings/import: a Teleport protostream file in, a complete recording (events kept, video made) out;
// a malformed file refused with its byte offset, and nothing half-made listed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PART_HEADER_BYTES } from "../../src/recording/protostream.ts";
import { sampleRecords } from "../support/corpus.ts";
import { recordingOf } from "../support/recordings.ts";
import { startTestServer, type TestServer, waitFor } from "../support/server.ts";

let server: TestServer;
let sample: Uint8Array;

beforeAll(async () => {
  server = await startTestServer();
  sample = await recordingOf(sampleRecords(), "import-sample-0001", "WIN-IMPORTED");
});
afterAll(async () => {
  await server?.dispose();
});

function post(body: Uint8Array, headers: Record<string, string> = server.auth): Promise<Response> {
  return fetch(`${server.url}/v1/recordings/import`, {
    method: "POST", headers: { ...headers, "content-type": "application/octet-stream" }, body: new Uint8Array(body),
  });
}

async function listedIds(): Promise<string[]> {
  const page = await server.json<{ items: Array<{ id: string }> }>("/v1/recordings?limit=500");
  return page.items.map((i) => i.id);
}

describe("import", () => {
  test("a Teleport recording becomes a complete, listed recording with its markers and a video", async () => {
    const res = await post(sample);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: "import-sample-0001" });
    const item = await waitFor("the imported video", async () => {
      const it = await server.json<{
        status: string; desktop_name: string; duration_ms: number; width: number;
        video: { state: string; duration_ms: number }; markers: Array<{ t_ms: number; kind: string; detail: string }>;
      }>("/v1/recordings/import-sample-0001");
      return it.video.state === "encoding" ? undefined : it;
    }, 60_000);
    expect(item.status).toBe("complete");
    expect(item.desktop_name).toBe("WIN-IMPORTED");
    expect(item.width).toBe(1280);
    expect(item.duration_ms).toBe(45_726);
    expect(item.video.state).toBe("ready");
    // the recording keeps only that the clipboard was used; the length comes from its audit event
    expect(item.markers).toEqual([
      { t_ms: 28_275, kind: "clipboard", detail: "clipboard: 13 bytes" },
      { t_ms: 36_540, kind: "alert", detail: "warning: Recording storage is 90% full; older sessions will be pruned" },
    ]);
    const stored = new Uint8Array(await (await server.get("/v1/recordings/import-sample-0001/recording.tar")).arrayBuffer());
    expect(Buffer.from(stored).equals(Buffer.from(sample))).toBe(true);
  }, 90_000);

  test("imports of one id at once: exactly one is stored and listed, the others are conflicts (never a 5xx)", async () => {
    const id = "import-race-0001";
    const variants = [await recordingOf(sampleRecords(), id, "WIN-RACE-A"), await recordingOf(sampleRecords(), id, "WIN-RACE-B")];
    const answers = await Promise.all([0, 1, 0, 1].map(async (v) => ({ v, status: (await post(variants[v])).status })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    const winner = variants[answers.find((a) => a.status === 201)!.v];
    const item = await waitFor("the raced import's video", async () => {
      const it = await server.json<{ desktop_name: string; video: { state: string } }>(`/v1/recordings/${id}`);
      return it.video.state === "encoding" ? undefined : it;
    }, 60_000);
    expect(item.desktop_name).toBe(winner === variants[0] ? "WIN-RACE-A" : "WIN-RACE-B");
    const stored = new Uint8Array(await (await server.get(`/v1/recordings/${id}/recording.tar`)).arrayBuffer());
    expect(Buffer.from(stored).equals(Buffer.from(winner))).toBe(true);
  }, 90_000);

  test("the same recording twice is a conflict", async () => {
    const res = await post(sample);
    expect(res.status).toBe(409);
  });

  test("malformed files are refused with the byte offset, and nothing is listed", async () => {
    const before = await listedIds();
    const other = await recordingOf(sampleRecords().slice(0, 50), "import-bad-0001");
    const corrupt = other.slice();
    corrupt[PART_HEADER_BYTES + 12] ^= 0xff; // inside the first part's gzip data
    const cases: Array<[string, Uint8Array]> = [
      ["corrupt gzip", corrupt],
      ["truncated", other.subarray(0, other.length - 7)],
      ["wrong version", Object.assign(other.slice(), { 7: 2 })],
      ["not a recording", new TextEncoder().encode("hello, this is not a protostream file at all")],
    ];
    for (const [what, body] of cases) {
      const res = await post(body);
      const json = (await res.json()) as { error: string; offset?: number };
      expect(res.status, what).toBe(400);
      expect(json.error, what).toMatch(/malformed|not a valid|no events/);
      expect(typeof json.offset, what).toBe("number");
    }
    expect((await post(new Uint8Array(0))).status).toBe(400);
    expect(await listedIds()).toEqual(before);
  });

  test("only admins may import", async () => {
    expect((await post(sample, {})).status).toBe(401);
    const token = await server.services.auth.createToken("ingest-only", "agent");
    expect((await post(sample, { authorization: `Bearer ${token}` })).status).toBe(403);
  });
});
