// The HTTP surface: one Elysia instance per feature, composed here with the JSON error convention.
import { type AnyElysia, Elysia } from "elysia";
import packageJson from "../../package.json" with { type: "json" };
import { requestProblem } from "../api/validation.ts";
import type { Services } from "../services.ts";
import { adminRoutes } from "./adminRoutes.ts";
import { authRoutes } from "./authRoutes.ts";
import { clipRoutes } from "./clipRoutes.ts";
import { clusterRoutes } from "./clusterRoutes.ts";
import { httpErrorOf, jsonError } from "./errors.ts";
import { evidenceRoutes } from "./evidenceRoutes.ts";
import { ingestRoutes } from "./ingestRoutes.ts";
import { liveRoutes } from "./liveRoutes.ts";
import { openapiRoutes } from "./openapiRoutes.ts";
import { pages } from "./pages.ts";
import { peerRoutes } from "./peerRoutes.ts";
import { previewRoutes } from "./previewRoutes.ts";
import { recordingAdminRoutes } from "./recordingAdminRoutes.ts";
import { recordingRoutes } from "./recordingRoutes.ts";
import { sshIngestRoutes } from "./sshIngestRoutes.ts";
import { statusRoutes } from "./statusRoutes.ts";
import { terminalRoutes } from "./terminalRoutes.ts";

const packageVersion = packageJson.version;

export function createApp(services: Services) {
  let root: AnyElysia | null = null;
  // Handlers and their schema checks are compiled at start: compiled on first use, the first request to a
  // route held the event loop ~20-45 ms, every session's traffic with it (measured at a session's end).
  const app = new Elysia({ precompile: true })
    .onError(({ code, error, request }) => {
      const http = httpErrorOf(error);
      if (http) return jsonError(http.status, http.message, http.extra);
      if (code === "VALIDATION" && error.type !== "response") return jsonError(400, requestProblem(error));
      if (code === "NOT_FOUND") return jsonError(404, `no route for ${request.method} ${new URL(request.url).pathname}`);
      if (code === "PARSE") return jsonError(400, "the request body could not be parsed");
      services.log(`error on ${request.method} ${new URL(request.url).pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return jsonError(500, "internal error");
    })
    .use(authRoutes(services.auth))
    .use(ingestRoutes(services))
    .use(sshIngestRoutes(services))
    .use(statusRoutes(services))
    .use(clusterRoutes(services))
    .use(liveRoutes(services))
    .use(peerRoutes(services))
    .use(recordingRoutes(services))
    .use(recordingAdminRoutes(services))
    .use(previewRoutes(services))
    .use(clipRoutes(services))
    .use(evidenceRoutes(services))
    .use(terminalRoutes(services))
    .use(adminRoutes(services))
    .use(openapiRoutes(services.auth, () => {
      if (!root) throw new Error("the app is not composed yet");
      return root;
    }, packageVersion))
    .use(pages(services.auth));
  root = app;
  return app;
}
