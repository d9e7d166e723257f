// GET /v1/openapi.json: the OpenAPI 3.1 document of every /v1 route, made from the schemas the routes declare
// (Elysia `t`), so the document cannot drift from what the server checks. WebSocket routes appear as GET with
// an upgrade (101). Like every /v1 route it needs a credential; the reference page (/docs/api) reads it.
import { toOpenAPISchema } from "@elysiajs/openapi";
import { type AnyElysia, Elysia, t } from "elysia";
import { errors } from "../api/common.ts";
import { ControlFrame } from "../api/ingest.ts";
import { SESSION_COOKIE } from "../auth/cookies.ts";
import { authGuard, requirePrincipal } from "./authRoutes.ts";
import { JSON_BODY_LIMIT } from "./bodyLimit.ts";

export const OPENAPI_PATH = "/v1/openapi.json";

type Json = Record<string, unknown>;
type Operation = Json & { responses?: Record<string, Json>; description?: string };

/** What a WebSocket route sends and expects, for the document (its query is taken from the route's schema). */
const SOCKETS: Record<string, { summary: string; description: string }> = {
  "/v1/ingest/desktop": { summary: "Record a live desktop session (WebSocket)", description:
    "WebSocket (agents): one TDP message per binary frame, in the order the desktop service saw them: legacy TDP, or TDPB (`u32 BE length | teleport.desktop.v1.Envelope`, first byte 0x00). The session lasts as long as the socket. Bad input is answered with an Alert in the sender's era (TDP type 28 or a TDPB Alert) or a close 1007/1008/1009 with a reason, and skipped; what was recorded stays." },
  "/v1/ingest/ssh": { summary: "Record a live SSH session (WebSocket)", description:
    'WebSocket (agents): binary frames are terminal output; text frames are control messages `{"resize":{"cols":C,"rows":R}}`. Recorded as Teleport `print` events, listed as kind=ssh. A bad frame is answered `{"error": "..."}`.' },
  "/v1/recordings/{id}/live": { summary: "Watch a live session's video (WebSocket)", description:
    'WebSocket (viewers): a text frame `{"type":"init","mime":"video/mp4; codecs=..."}`, the fragmented-MP4 init segment, media fragments as they are made (a joiner first gets those since the last keyframe), then `{"type":"end"}`. A session that is not live answers `{"type":"end"}` at once.' },
};

const DESCRIPTION = `The deskreel HTTP API. Every route needs \`Authorization: Bearer <token>\` or the session cookie of the web login
(except logging in). Errors are JSON \`{"error": "..."}\`: 400 bad input, 401 unauthenticated, 403 forbidden, 404 not found,
409 conflict, 413 body too large (JSON bodies: at most ${JSON_BODY_LIMIT} bytes; imports: DESKREEL_MAX_IMPORT_BYTES). See docs/api.md.`;

/** Move a WebSocket route to GET with an upgrade. */
function socketOperation(path: string, op: Operation): Operation {
  const responses: Record<string, Json> = { "101": { description: "Switching Protocols: the WebSocket is open" } };
  for (const status of ["400", "401", "403", "404", "409"]) responses[status] = errorResponse(status);
  const frames = path === "/v1/ingest/ssh" ? { "x-text-frames": { $ref: "#/components/schemas/SshControlFrame" } } : {};
  return { ...op, ...SOCKETS[path], ...frames, tags: ["live"], "x-websocket": true, responses: { ...responses, ...(op.responses ?? {}) } };
}

function errorResponse(status: string): Json {
  return { description: `error ${status} (before the upgrade)`, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
}

/** Binary answers (MP4, tar, PNG) are declared with `x-media-type`; empty ones (204, 304) have no content. */
function fixResponses(op: Operation): void {
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    const content = response.content as Record<string, { schema?: Json }> | undefined;
    const schema = content ? Object.values(content)[0]?.schema : undefined;
    const mediaType = schema?.["x-media-type"];
    if (typeof mediaType === "string") {
      response.content = { [mediaType]: { schema: { type: "string", format: "binary" } } };
    } else if (status === "204" || status === "304" || status === "101") {
      delete response.content;
    }
  }
}

/**
 * Elysia's numbers accept numeric text too (a query string is text), which the generator writes as
 * `anyOf: [string (numeric), number]`; a reader wants the number. Its `error` texts are ours, not JSON Schema.
 */
function tidySchemas(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidySchemas);
  if (typeof node !== "object" || node === null) return node;
  // A string `error` is a validation message; an object one is a property named "error" (keep it).
  const rest = { ...(node as Json) };
  if (typeof rest.error === "string") delete rest.error;
  const anyOf = rest.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const text = anyOf.find((s: Json) => s.type === "string" && (s.format === "numeric" || s.format === "integer")) as Json | undefined;
    const num = anyOf.find((s: Json) => s.type === "number" || s.type === "integer") as Json | undefined;
    if (text && num) {
      const { anyOf: _anyOf, ...outer } = rest;
      const merged = { ...outer, ...(tidySchemas(num) as Json) };
      if (merged.multipleOf === 1) {
        delete merged.multipleOf;
        merged.type = "integer";
      }
      return merged;
    }
  }
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, tidySchemas(v)]));
}

/** The document for the routes `app` mounts under /v1. */
export function buildOpenApiDocument(app: AnyElysia, version: string): Json {
  const { paths, components } = toOpenAPISchema(app, { staticFile: false, methods: ["options"], paths: [/^(?!\/v1\/)/] }, undefined, undefined, "3.1.0");
  const out: Record<string, Record<string, Operation>> = {};
  for (const [path, item] of Object.entries(paths as Record<string, Record<string, Operation>>)) {
    const methods: Record<string, Operation> = {};
    for (const [method, op] of Object.entries(item)) {
      const operation = method === "ws" ? socketOperation(path, op) : op;
      fixResponses(operation);
      if (method === "ws") operation.operationId = `socket${String(op.operationId ?? "").replace(/^ws/, "")}`;
      methods[method === "ws" ? "get" : method] = operation;
    }
    out[path] = methods;
  }
  // Drop TypeBox's symbols and functions: plain JSON.
  return tidySchemas(JSON.parse(JSON.stringify({
    openapi: "3.1.0",
    info: { title: "deskreel API", version, description: DESCRIPTION },
    servers: [{ url: "/" }],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    tags: [
      { name: "recordings", description: "list, inspect, play and download recordings; import" },
      { name: "live", description: "WebSockets: ingest of live sessions, live video for viewers" },
      { name: "audit", description: "the main audit log" },
      { name: "status", description: "what the server is doing now" },
      { name: "accounts", description: "login, users and API tokens" },
      { name: "meta", description: "this document" },
    ],
    paths: out,
    components: {
      ...(components as Json),
      schemas: { ...((components as { schemas?: Json }).schemas ?? {}), Error: errors(400)[400], SshControlFrame: ControlFrame },
      securitySchemes: {
        bearerToken: { type: "http", scheme: "bearer", description: "an API token (admin token, or one made under /v1/tokens)" },
        sessionCookie: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "set by POST /v1/auth/login" },
      },
    },
  }))) as Json;
}

/** Serves the document of `root()` (the whole app, known only once it is composed). */
export function openapiRoutes(auth: Parameters<typeof authGuard>[0], root: () => AnyElysia, version: string) {
  let document: string | null = null;
  return new Elysia()
    .use(authGuard(auth))
    .get(OPENAPI_PATH, (ctx) => {
      requirePrincipal(ctx);
      document ??= JSON.stringify(buildOpenApiDocument(root(), version));
      return new Response(document, { headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });
    }, {
      response: { 200: t.Object({}, { additionalProperties: true, description: "this OpenAPI 3.1 document" }), ...errors(401) },
      detail: { tags: ["meta"], summary: "This OpenAPI document", description: "The reference page /docs/api renders it." },
    });
}
