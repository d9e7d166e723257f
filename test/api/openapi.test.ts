// GET /v1/openapi.json: a valid OpenAPI 3.1 document (checked by @apidevtools/swagger-parser against the
// official schema, with its $refs resolved) that covers exactly the /v1 routes the server mounts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import { startTestServer, type TestServer } from "../support/server.ts";

type Operation = { parameters?: Array<{ name: string; in: string; required?: boolean }>; responses?: Record<string, unknown>; requestBody?: unknown };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };

describe("the OpenAPI document", () => {
  let server: TestServer;
  let doc: Doc;
  beforeAll(async () => {
    server = await startTestServer();
    const res = await server.get("/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    doc = (await res.json()) as Doc;
  });
  afterAll(() => server.dispose());

  test("needs a credential like every /v1 route", async () => {
    const res = await server.get("/v1/openapi.json", {});
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "authentication required" });
  });

  test("is valid OpenAPI 3.1", async () => {
    expect(doc.openapi).toStartWith("3.1");
    // validate() throws with the first problem; it dereferences in place, so give it a copy.
    const checked = await SwaggerParser.validate(structuredClone(doc) as never);
    expect(Object.keys(checked.paths ?? {}).length).toBe(Object.keys(doc.paths).length);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearerToken", "sessionCookie"]);
  });

  test("covers exactly the /v1 routes the server mounts (WebSockets as GET with an upgrade)", () => {
    const mounted = server.routes()
      .filter((r) => r.path.startsWith("/v1/"))
      .map((r) => `${r.method === "WS" ? "GET" : r.method} ${r.path.replace(/:([^/]+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(mounted.length).toBeGreaterThan(20);
    expect(new Set(documented)).toEqual(new Set(mounted));
    expect(documented.length).toBe(new Set(documented).size);
    for (const r of server.routes().filter((r) => r.method === "WS" && r.path.startsWith("/v1/"))) {
      const op = doc.paths[r.path.replace(/:([^/]+)/g, "{$1}")].get;
      expect(op.responses).toHaveProperty("101");
    }
  });

  test("every operation declares its path parameters and a success answer; guarded ones declare 401", () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        expect(declared.sort(), where).toEqual(pathParams.sort());
        const statuses = Object.keys(op.responses ?? {});
        expect(statuses.some((s) => /^(2\d\d|101)$/.test(s)), where).toBe(true);
        if (!path.startsWith("/v1/auth/log")) expect(statuses, where).toContain("401");
      }
    }
  });

  test("query parameters, bodies and answers come from the route schemas", () => {
    const list = doc.paths["/v1/recordings"].get;
    const names = (list.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
    for (const name of ["kind", "user", "desktop", "q", "from", "to", "status", "has_marker", "sort", "order", "limit", "cursor"]) expect(names).toContain(name);
    const ok = (list.responses?.["200"] as { content: Record<string, { schema: { properties: Record<string, unknown> } }> }).content["application/json"].schema;
    expect(Object.keys(ok.properties).sort()).toEqual(["items", "next"]);
    const ingest = doc.paths["/v1/ingest/desktop"].get.parameters ?? [];
    expect(ingest.filter((p) => p.required).map((p) => p.name).sort()).toEqual(["desktop", "login", "user"]);
    const video = doc.paths["/v1/recordings/{id}/video.mp4"].get.responses as Record<string, { content?: Record<string, unknown> }>;
    expect(Object.keys(video["206"].content ?? {})).toEqual(["video/mp4"]);
    expect(doc.paths["/v1/users"].post.requestBody).toBeDefined();
    // The SSH socket's text frames, from the schema the server checks them with.
    expect(doc.paths["/v1/ingest/ssh"].get).toHaveProperty("x-text-frames", { $ref: "#/components/schemas/SshControlFrame" });
    const frame = (doc.components as unknown as { schemas: Record<string, { properties: { resize: { required: string[] } } }> }).schemas.SshControlFrame;
    expect(frame.properties.resize.required.sort()).toEqual(["cols", "rows"]);
    const importBody = doc.paths["/v1/recordings/import"].post.requestBody as { content: Record<string, unknown> };
    expect(Object.keys(importBody.content)).toEqual(["application/octet-stream"]);
  });
});

describe("the document's schemas read as a client needs them", () => {
  test("numbers are numbers (not numeric text), validation messages stay out, the error body keeps its field", async () => {
    const server = await startTestServer();
    try {
      const doc = (await (await server.get("/v1/openapi.json")).json()) as Doc & { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
      const limit = doc.paths["/v1/recordings"].get.parameters?.find((p) => p.name === "limit") as unknown as { schema: Record<string, unknown> };
      expect(limit.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 500 });
      expect(limit.schema).not.toHaveProperty("anyOf");
      expect(limit.schema).not.toHaveProperty("error");
      expect(Object.keys(doc.components.schemas.Error.properties).sort()).toEqual(["error", "offset"]);
      expect(JSON.stringify(doc)).not.toContain('"format":"numeric"');
    } finally {
      await server.dispose();
    }
  });
});
