// The HTTP surface: one Elysia instance per feature, composed here with the JSON error convention.
import { Elysia } from "elysia";
import type { Services } from "../services.ts";
import { adminRoutes } from "./adminRoutes.ts";
import { authRoutes } from "./authRoutes.ts";
import { HttpError, jsonError } from "./errors.ts";
import { ingestRoutes } from "./ingestRoutes.ts";
import { liveRoutes } from "./liveRoutes.ts";
import { pages } from "./pages.ts";
import { recordingRoutes } from "./recordingRoutes.ts";
import { sshIngestRoutes } from "./sshIngestRoutes.ts";
import { statusRoutes } from "./statusRoutes.ts";
import { terminalRoutes } from "./terminalRoutes.ts";

function validationMessage(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    const text = String((error as { message: unknown }).message);
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object") {
        const p = parsed as { property?: string; message?: string; summary?: string };
        const where = p.property ? `${p.property.replace(/^\//, "")}: ` : "";
        return `invalid request: ${where}${p.summary ?? p.message ?? "bad value"}`;
      }
    } catch {
      // not JSON: use the text
    }
    return `invalid request: ${text}`;
  }
  return "invalid request";
}

export function createApp(services: Services) {
  return new Elysia()
    .onError(({ code, error, request }) => {
      if (error instanceof HttpError) return jsonError(error.status, error.message, error.extra);
      if (code === "VALIDATION") return jsonError(400, validationMessage(error));
      if (code === "NOT_FOUND") return jsonError(404, `no route for ${request.method} ${new URL(request.url).pathname}`);
      if (code === "PARSE") return jsonError(400, "the request body could not be parsed");
      services.log(`error on ${request.method} ${new URL(request.url).pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return jsonError(500, "internal error");
    })
    .use(authRoutes(services.auth))
    .use(ingestRoutes(services))
    .use(sshIngestRoutes(services))
    .use(statusRoutes(services))
    .use(liveRoutes(services))
    .use(recordingRoutes(services))
    .use(terminalRoutes(services))
    .use(adminRoutes(services))
    .use(pages(services.auth));
}
