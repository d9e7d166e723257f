// An imported recording with holes in its event indexes (events its recorder lost) is listed with
// the count as lost_events and gaps: true, like a live session that lost events.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { concatBytes } from "../../src/bytes.ts";
import { encodeOneOf } from "../../src/recording/eventCodec.ts";
import { encodePart, parseProtostream } from "../../src/recording/protostream.ts";
import { sampleUntil } from "../support/corpus.ts";
import { recordingOf } from "../support/recordings.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

function post(body: Uint8Array): Promise<Response> {
  return fetch(`${server.url}/v1/recordings/import`, {
    method: "POST", headers: { ...server.auth, "content-type": "application/octet-stream" }, body: new Uint8Array(body),
  });
}

describe("imported recordings with gaps", () => {
  test("a recording missing a middle part lists how many events are missing", async () => {
    const whole = await recordingOf(sampleUntil(3_000), "import-gaps-0001", "WIN-GAPS");
    const { events } = parseProtostream(whole);
    expect(events.length).toBeGreaterThan(200);
    // Re-encoded 50 events a part, without events 100..149 (their indexes stay a gap, as a recorder that lost them leaves it).
    const kept = events.filter((e) => e.index < 100 || e.index >= 150);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < kept.length; i += 50) parts.push(encodePart(kept.slice(i, i + 50).map(encodeOneOf)));
    const holed = concatBytes(parts);
    const missing = 50;
    expect((await post(holed)).status).toBe(201);
    const item = await server.json<{ lost_events: number; gaps: boolean; status: string }>("/v1/recordings/import-gaps-0001");
    expect(item).toMatchObject({ status: "complete", gaps: true, lost_events: missing });
  });

  test("a whole recording has none", async () => {
    const whole = await recordingOf(sampleUntil(1_000), "import-gaps-0002", "WIN-NOGAPS");
    expect((await post(whole)).status).toBe(201);
    const item = await server.json<{ lost_events: number; gaps: boolean }>("/v1/recordings/import-gaps-0002");
    expect(item).toMatchObject({ gaps: false, lost_events: 0 });
  });
});
