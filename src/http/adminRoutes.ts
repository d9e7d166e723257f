// The main audit log and recording import: the API surfaces that are not about one live session.
import { Elysia } from "elysia";
import { canImport, canReadAuditLog } from "../auth/principal.ts";
import { CatalogError } from "../catalog/catalog.ts";
import { parseTime } from "../catalog/filterParams.ts";
import type { Services } from "../services.ts";
import { ImportError, importRecording } from "../sessions/importer.ts";
import { authGuard, requirePermission } from "./authRoutes.ts";
import { HttpError } from "./errors.ts";

/** Largest recording accepted in one import request. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024;

export function adminRoutes(services: Services) {
  return new Elysia()
    .use(authGuard(services.auth))
    .get("/v1/audit/events", async (ctx) => {
      requirePermission(ctx, canReadAuditLog, "read the audit log");
      const q = new URL(ctx.request.url).searchParams;
      const limitText = q.get("limit");
      const limit = limitText === null ? 100 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, "limit must be a whole number from 1 to 1000");
      try {
        const events = await services.catalog.listAuditEvents({
          type: q.get("type") || undefined,
          sid: q.get("sid") || undefined,
          fromMs: parseTime(q.get("from") || undefined, "from"),
          toMs: parseTime(q.get("to") || undefined, "to"),
          limit,
        });
        return { events };
      } catch (err) {
        if (err instanceof CatalogError) throw new HttpError(400, err.message);
        throw err;
      }
    })
    .post(
      "/v1/recordings/import",
      async (ctx) => {
        requirePermission(ctx, canImport, "import recordings");
        const declared = Number(ctx.request.headers.get("content-length") ?? "0");
        if (declared > MAX_IMPORT_BYTES) throw new HttpError(413, `recording larger than ${MAX_IMPORT_BYTES} bytes`);
        const bytes = new Uint8Array(await ctx.request.arrayBuffer());
        if (bytes.length === 0) throw new HttpError(400, "empty body: send the protostream file as application/octet-stream", { offset: 0 });
        try {
          const { id, video } = await importRecording(services, bytes);
          void video.catch((err) => services.log(`import ${id}: video failed: ${String(err)}`));
          services.log(`imported recording ${id} (${bytes.length} bytes)`);
          ctx.set.status = 201;
          return { id };
        } catch (err) {
          if (err instanceof ImportError) {
            throw new HttpError(err.status, err.message, err.offset === null ? {} : { offset: err.offset });
          }
          throw err;
        }
      },
      { parse: "none" },
    );
}
