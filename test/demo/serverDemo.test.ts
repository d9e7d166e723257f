// `bun start --demo` / DESKREEL_DEMO=1: the server loads the demo tool (tools/demo, through its one entry) and a
// synthetic desktop session arrives over the real ingest socket; stopping the server ends it cleanly.
import { expect, test } from "bun:test";
import type { RecordingPage } from "../../src/api/recordings.ts";
import { startTestServer, waitFor } from "../support/server.ts";

test("DESKREEL_DEMO=1 starts a live synthetic desktop session in the server", async () => {
  const server = await startTestServer({ DESKREEL_DEMO: "1" });
  try {
    const item = await waitFor("the demo session to be listed", async () => {
      const page = await server.json<RecordingPage>("/v1/recordings?desktop=WIN-DEMO-01");
      return page.items[0];
    });
    expect(item.desktop_name).toBe("WIN-DEMO-01");
    expect(item.user).toBe("demo");
    expect(item.status).toBe("live");
    expect(server.logs.some((line) => line.startsWith("demo: a synthetic desktop session is starting"))).toBe(true);
  } finally {
    await server.dispose();
  }
  expect(server.logs.filter((line) => line.startsWith("demo: stopped"))).toEqual([]);
}, 60_000);
