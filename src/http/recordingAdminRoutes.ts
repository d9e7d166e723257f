// Admins: put a recording on legal hold, release it, delete it by hand. Every change is audited
// (recording.hold, recording.release, recording.delete) with who did it and why.
import { Elysia } from "elysia";
import { errors, RecordingIdParams } from "../api/common.ts";
import { Deleted, DeleteBody, HoldBody } from "../api/recordingAdmin.ts";
import { RecordingItem } from "../api/recordings.ts";
import { toApiItem } from "../api/recordingView.ts";
import { canManageRecordings } from "../auth/principal.ts";
import type { Services } from "../services.ts";
import { isValidSessionId } from "../storage/sessionKeys.ts";
import { recordingEvent } from "../sessions/recordingRemoval.ts";
import { authGuard, permittedBody, type PrincipalContext, requirePermission } from "./authRoutes.ts";
import { HttpError } from "./errors.ts";

const manage = "put recordings on legal hold or delete them";

export function recordingAdminRoutes(services: Services) {
  const { catalog, auditLog, removal } = services;
  const tags = ["recordings"];
  const adminOnly = (ctx: PrincipalContext) => requirePermission(ctx, canManageRecordings, manage);
  const adminBody = permittedBody(services.auth, canManageRecordings, manage);

  async function existing(id: string) {
    const row = isValidSessionId(id) ? await catalog.getRecording(id) : null;
    if (!row) throw new HttpError(404, `recording ${id} not found`);
    return row;
  }

  return new Elysia()
    .use(authGuard(services.auth))
    .put("/v1/recordings/:id/hold", async (ctx) => {
      const me = adminOnly(ctx);
      const current = await existing(ctx.params.id);
      const reason = (ctx.body?.reason ?? "").trim();
      if (current.legalHold) return toApiItem(current); // already held: the first hold (and its reason) stands
      const now = Date.now();
      const row = await catalog.setLegalHold(current.id, { by: me.name, atMs: now, reason });
      if (!row) throw new HttpError(404, `recording ${current.id} not found`);
      await auditLog.emit(recordingEvent("hold", row.id, me.name, now, { reason }));
      return toApiItem(row);
    }, {
      parse: adminBody,
      params: RecordingIdParams,
      body: HoldBody,
      response: { 200: RecordingItem, ...errors(400, 401, 403, 404, 413) },
      detail: {
        tags, summary: "Put a recording on legal hold (admins)",
        description: "A held recording is never deleted, by retention or by hand, until it is released. Audited as recording.hold.",
      },
    })
    .delete("/v1/recordings/:id/hold", async (ctx) => {
      const me = adminOnly(ctx);
      const current = await existing(ctx.params.id);
      if (!current.legalHold) return toApiItem(current);
      const row = await catalog.setLegalHold(current.id, null);
      if (!row) throw new HttpError(404, `recording ${current.id} not found`);
      await auditLog.emit(recordingEvent("release", row.id, me.name, Date.now(), { held_by: current.legalHold.by, hold_reason: current.legalHold.reason }));
      return toApiItem(row);
    }, {
      params: RecordingIdParams,
      response: { 200: RecordingItem, ...errors(401, 403, 404) },
      detail: { tags, summary: "Release a recording's legal hold (admins)", description: "Audited as recording.release." },
    })
    .delete("/v1/recordings/:id", async (ctx) => {
      const me = adminOnly(ctx);
      const id = ctx.params.id;
      const reason = (ctx.body?.reason ?? "").trim() || "deleted by an admin";
      const result = await removal.remove(id, { by: me.name, via: "admin", reason });
      switch (result.outcome) {
        case "missing":
          throw new HttpError(404, `recording ${id} not found`);
        case "held":
          throw new HttpError(409, `recording ${id} is on legal hold: release the hold first`);
        case "live":
          throw new HttpError(409, `recording ${id} is live: it can be deleted once the session has ended`);
        case "deleted":
          return { id, objects: result.objects, bytes: result.bytes };
      }
    }, {
      parse: adminBody,
      params: RecordingIdParams,
      body: DeleteBody,
      response: { 200: Deleted, ...errors(400, 401, 403, 404, 409, 413) },
      detail: {
        tags, summary: "Delete a recording (admins)",
        description: "Its catalog entry, markers and every stored object (recording, videos, thumbnail, previews). Never a held or live one (409). Audited as recording.delete with the admin and the reason.",
      },
    });
}
