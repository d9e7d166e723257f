// A cap on live sessions per ingest principal: one agent token cannot open sessions without end.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ DESKREEL_MAX_SESSIONS_PER_AGENT: "2" });
});
afterAll(async () => {
  await server?.dispose();
});

describe("live sessions per agent", () => {
  test("past the cap a new session is refused with 429; closing one makes room", async () => {
    const first = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-Q1", user: "a" });
    const second = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-Q2", user: "a" });
    const refused = await fetch(`${server.url}/v1/ingest/desktop?desktop=WIN-Q3&user=a&login=x`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
    });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toMatch(/already has 2 live sessions/);
    await expect(IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-Q3", user: "a" })).rejects.toThrow();
    // SSH sessions count against the same principal.
    const ssh = new WebSocket(`${server.url.replace("http", "ws")}/v1/ingest/ssh?host=h&user=a&login=root`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } } as unknown as string[]);
    const sshRefused = await new Promise<boolean>((resolve) => {
      ssh.addEventListener("open", () => resolve(false));
      ssh.addEventListener("error", () => resolve(true));
    });
    expect(sshRefused).toBe(true);
    await first.close();
    const third = await waitFor("room for a new session", async () =>
      IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-Q3", user: "a" }).catch(() => undefined));
    await second.close();
    await third.close();
  });
});
