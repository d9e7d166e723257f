// Body limits per route, checked before a body is read: 413 from the declared size, 413 while a chunked body
// streams in, 401/403 before anything is read for a caller who may not use the route, and a server that stays
// small while unauthenticated clients push 300 MB bodies at it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/server.ts";
import { startServerProcess } from "../support/serverProcess.ts";

const MiB = 1024 * 1024;

/** A body of `total` bytes made as it is sent (no Content-Length: chunked); `sent()` tells how much was pulled. */
function streamingBody(total: number, chunk = 64 * 1024) {
  let sent = 0;
  const block = new Uint8Array(chunk).fill(0x7b);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(chunk, total - sent);
      sent += n;
      controller.enqueue(n === chunk ? block : block.subarray(0, n));
    },
  });
  return { stream, sent: () => sent };
}

describe("per-route body limits", () => {
  let server: TestServer;
  let agentToken: string;
  beforeAll(async () => {
    server = await startTestServer({ DESKREEL_MAX_IMPORT_BYTES: String(2 * MiB) });
    agentToken = await server.services.auth.createToken("limits-agent", "agent");
  });
  afterAll(() => server.dispose());

  const post = (path: string, body: BodyInit, headers: Record<string, string>) =>
    fetch(server.url + path, { method: "POST", body, headers });

  test("a JSON body declared over 1 MiB is refused with 413 before it is read, and nothing is created", async () => {
    const big = JSON.stringify({ name: "huge", password: "a long enough password", pad: "x".repeat(MiB) });
    const res = await post("/v1/users", big, { ...server.auth, "content-type": "application/json" });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "request body larger than 1048576 bytes", limit: MiB });
    expect((await server.services.auth.listUsers()).map((u) => u.name)).not.toContain("huge");
  });

  test("a chunked JSON body is counted as it arrives and cut off at the limit", async () => {
    const body = streamingBody(8 * MiB);
    const res = await post("/v1/tokens", body.stream, { ...server.auth, "content-type": "application/json" });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toContain("larger than");
    // Reading stopped near the limit: the client was not drained of the whole 8 MiB.
    expect(body.sent()).toBeLessThan(8 * MiB);
  });

  test("small bodies still work, and the login form stays a form", async () => {
    const ok = await post("/v1/tokens", JSON.stringify({ name: "small-one" }), { ...server.auth, "content-type": "application/json" });
    expect(ok.status).toBe(201);
    const login = await fetch(server.url + "/v1/auth/login", {
      method: "POST", body: "username=nobody&password=wrong", redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toStartWith("/login?error=1");
  });

  test("unauthenticated and forbidden callers are answered before their body is read", async () => {
    for (const [headers, status] of [[{}, 401], [{ authorization: `Bearer ${agentToken}` }, 403]] as const) {
      const body = streamingBody(64 * MiB);
      const res = await post("/v1/users", body.stream, { ...headers, "content-type": "application/json" });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toBeString();
      expect(body.sent()).toBeLessThan(64 * MiB);
    }
  });

  test("import: the role is checked first (403 for an agent), then its own limit (413), counted while streaming", async () => {
    const agent = await post("/v1/recordings/import", streamingBody(16 * MiB).stream, {
      authorization: `Bearer ${agentToken}`, "content-type": "application/octet-stream",
    });
    expect(agent.status).toBe(403);
    const declared = await post("/v1/recordings/import", new Uint8Array(3 * MiB), { ...server.auth, "content-type": "application/octet-stream" });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { limit: number }).limit).toBe(2 * MiB);
    const chunked = streamingBody(16 * MiB);
    const streamed = await post("/v1/recordings/import", chunked.stream, { ...server.auth, "content-type": "application/octet-stream" });
    expect(streamed.status).toBe(413);
    expect(chunked.sent()).toBeLessThan(16 * MiB);
    const list = await server.json<{ items: unknown[] }>("/v1/recordings");
    expect(list.items).toEqual([]);
  });
});

describe("memory under unauthenticated 300 MB bodies", () => {
  // The server runs in its own process so its resident memory is its own: VmHWM is the kernel's peak. Reading
  // one of these bodies would take 300 MB; the ceiling is the server's own size plus 100 MiB, and 300 MiB in all.
  const CEILING = 300 * MiB;
  const GROWTH = 100 * MiB;

  test("4 unauthenticated 300 MB POSTs to /v1/users (declared and chunked) keep the server's peak RSS within 100 MiB of its size and under 300 MiB", async () => {
    const proc = await startServerProcess();
    try {
      // Warm up the routes the attack hits, then measure from there.
      await fetch(`${proc.url}/v1/users`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      const before = proc.memory();
      const attack = async (i: number) => {
        const size = 300 * MiB;
        const body = streamingBody(size, 256 * 1024);
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (i % 2 === 0) headers["content-length"] = String(size); // half declare their size, half are chunked
        try {
          const res = await fetch(`${proc.url}/v1/users`, { method: "POST", body: body.stream, headers, duplex: "half" } as RequestInit);
          return { status: res.status, body: await res.text(), sent: body.sent() };
        } catch (err) {
          // The server may close the connection on a body it will not read: that is a refusal too.
          return { status: 0, body: String(err), sent: body.sent() };
        }
      };
      const results = await Promise.all([0, 1, 2, 3].map(attack));
      const after = proc.memory();
      console.log(`server RSS: ${(before.rss / MiB).toFixed(0)} MiB before (peak ${(before.peak / MiB).toFixed(0)}), peak ${(after.peak / MiB).toFixed(0)} MiB, ${(after.rss / MiB).toFixed(0)} MiB after; bytes pulled from the clients: ${results.map((r) => (r.sent / MiB).toFixed(1)).join(", ")} MiB; answers ${results.map((r) => r.status).join(", ")}`);
      for (const r of results) {
        if (r.status !== 0) {
          expect([401, 413]).toContain(r.status);
          expect(JSON.parse(r.body)).toHaveProperty("error");
        }
      }
      expect(after.peak).toBeLessThan(CEILING);
      expect(after.peak).toBeLessThan(Math.max(before.peak, before.rss) + GROWTH);
      expect(after.rss - before.rss).toBeLessThan(GROWTH);
      // Still answering.
      const me = await fetch(`${proc.url}/v1/auth/me`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(me.status).toBe(200);
    } finally {
      await proc.stop();
    }
  }, 120_000);
});
