// Bad input on any route is answered with the contract's JSON error `{"error": "..."}` and a 400 (never
// Elysia's own validation body), with messages that name the parameter and what it must be.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());

async function errorOf(res: Response): Promise<string> {
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(typeof body.error).toBe("string");
  return body.error as string;
}

describe("query values", () => {
  const cases: Array<[string, string]> = [
    ["/v1/recordings?kind=rdp", 'kind must be one of desktop|ssh, got "rdp"'],
    ["/v1/recordings?status=sleeping", "status must be one of live|complete|interrupted|failed"],
    ["/v1/recordings?has_marker=error", "has_marker must be one of clipboard|resize|alert|file_transfer"],
    ["/v1/recordings?sort=size", 'sort must be one of start|duration|user|desktop, got "size"'],
    ["/v1/recordings?order=up", "order must be one of asc|desc"],
    ["/v1/recordings?limit=abc", 'limit must be a whole number from 1 to 500, got "abc"'],
    ["/v1/recordings?limit=0", "limit must be a whole number from 1 to 500, got 0"],
    ["/v1/recordings?limit=2.5", "limit must be a whole number from 1 to 500"],
    ["/v1/recordings?limit=501", "limit must be a whole number from 1 to 500, got 501"],
    ["/v1/recordings?from=yesterday", 'from must be an RFC 3339 time, got "yesterday"'],
    ["/v1/recordings?from=2026-03-02&to=2026-03-01", "from (2026-03-02) is after to (2026-03-01)"],
    [`/v1/recordings?q=${"x".repeat(300)}`, "q: expected string length less or equal to 256"],
    ["/v1/audit/events?limit=0", "limit must be a whole number from 1 to 1000, got 0"],
    ["/v1/audit/events?to=soon", 'to must be an RFC 3339 time, got "soon"'],
  ];
  for (const [path, message] of cases) {
    test(path.slice(0, 60), async () => {
      const res = await server.get(path);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toStartWith(message);
    });
  }

  test("empty values are absent, unknown parameters ignored", async () => {
    const res = await server.get("/v1/recordings?kind=&status=&limit=&colour=blue");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [], next: null });
  });
});

describe("bodies", () => {
  const post = (path: string, body: string, type = "application/json") =>
    fetch(server.url + path, { method: "POST", body, headers: { ...server.auth, "content-type": type } });

  test("a field of the wrong type names the field", async () => {
    const res = await post("/v1/users", JSON.stringify({ name: 5, password: "long enough password" }));
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("name: expected string");
  });

  test("text that is not JSON", async () => {
    const res = await post("/v1/tokens", "{name: ");
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toContain("could not be parsed");
  });

  test("a missing field keeps its own message; the account rules still answer 400", async () => {
    const login = await fetch(server.url + "/v1/auth/login", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(login.status).toBe(400);
    expect(await errorOf(login)).toBe("username and password are required");
    const weak = await post("/v1/users", JSON.stringify({ name: "weak", password: "short" }));
    expect(weak.status).toBe(400);
    expect(await errorOf(weak)).toContain("8 characters");
    const role = await post("/v1/tokens", JSON.stringify({ name: "t", role: "emperor" }));
    expect(role.status).toBe(400);
  });
});

describe("sockets and paths", () => {
  test("an ingest socket without its required query is refused before the upgrade with the JSON error", async () => {
    const res = await fetch(`${server.url}/v1/ingest/desktop?desktop=WIN-1&user=alice`, {
      headers: { ...server.auth, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toBe("login is required");
  });

  test("an SSH socket's terminal size must be whole numbers in range", async () => {
    const res = await fetch(`${server.url}/v1/ingest/ssh?host=h&user=u&login=l&cols=80.5&rows=24`, {
      headers: { ...server.auth, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toStartWith("cols and rows must be whole numbers from 1 to 10000");
  });

  test("an unknown route is a JSON 404", async () => {
    const res = await server.get("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toBe("no route for GET /v1/nothing-here");
  });
});
