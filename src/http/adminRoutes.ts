// The main audit log and recording import: the API surfaces that are not about one live session.
import { Elysia } from "elysia";
import { AuditEvents, AuditQuery } from "../api/audit.ts";
import { errors } from "../api/common.ts";
import { ImportCreated, queryTime } from "../api/recordings.ts";
import { SchemaError } from "../api/validation.ts";
import { canImport, canReadAuditLog } from "../auth/principal.ts";
import { CatalogError } from "../catalog/catalog.ts";
import type { Services } from "../services.ts";
import { ImportError, storeImport } from "../sessions/importer.ts";
import { queueImportVideo } from "../sessions/importJob.ts";
import { authGuard, requirePermission } from "./authRoutes.ts";
import { readBodyLimited } from "./bodyLimit.ts";
import { HttpError } from "./errors.ts";
import { dropEmptyValues } from "./recordingRoutes.ts";

export function adminRoutes(services: Services) {
  const importLimit = services.config.maxImportBytes;
  return new Elysia()
    .use(authGuard(services.auth))
    .onTransform(({ query }) => dropEmptyValues(query))
    .get("/v1/audit/events", async (ctx) => {
      requirePermission(ctx, canReadAuditLog, "read the audit log");
      const q = ctx.query;
      try {
        const events = await services.catalog.listAuditEvents({
          type: q.type, sid: q.sid, fromMs: queryTime(q.from, "from"), toMs: queryTime(q.to, "to"), limit: q.limit ?? 100,
        });
        return { events };
      } catch (err) {
        if (err instanceof CatalogError || err instanceof SchemaError) throw new HttpError(400, err.message);
        throw err;
      }
    }, {
      query: AuditQuery,
      response: { 200: AuditEvents, ...errors(400, 401, 403) },
      detail: {
        tags: ["audit"], summary: "The main audit log (admins, auditors)",
        description: "Session start/end, clipboard, file transfer and recording access events with Teleport's field names; never frames.",
      },
    })
    .post(
      "/v1/recordings/import",
      async (ctx) => {
        requirePermission(ctx, canImport, "import recordings");
        // Read only now, after the role check, counting as it streams in.
        const bytes = await readBodyLimited(ctx.request, importLimit);
        if (bytes.length === 0) throw new HttpError(400, "empty body: send the protostream file as application/octet-stream", { offset: 0 });
        try {
          const { id, encode } = await storeImport(services, bytes);
          // The video is a job: this node or any other sharing the database and the blob store makes it.
          if (encode) {
            await queueImportVideo(services.jobs, id);
            services.jobRunner.wake();
          }
          services.log(`imported recording ${id} (${bytes.length} bytes)${encode ? ", video queued" : ""}`);
          ctx.set.status = 201;
          return { id };
        } catch (err) {
          if (err instanceof ImportError) {
            throw new HttpError(err.status, err.message, err.offset === null ? {} : { offset: err.offset });
          }
          throw err;
        }
      },
      {
        parse: "none",
        response: { 201: ImportCreated, ...errors(400, 401, 403, 409, 413) },
        detail: {
          tags: ["recordings"], summary: "Import a Teleport recording (admins)",
          description: `Body: a Teleport protostream file (application/octet-stream), at most DESKREEL_MAX_IMPORT_BYTES (default 2 GiB). Malformed → 400 with the byte \`offset\`; nothing half-made is listed.`,
          requestBody: { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
        },
      },
    );
}
