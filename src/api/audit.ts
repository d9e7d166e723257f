// GET /v1/audit/events: the main audit log's query and answer (Teleport field names).
import { type Static, t } from "elysia";
import { MAX_AUDIT_LIMIT } from "../catalog/types.ts";
import { timeParam, wholeNumber } from "./common.ts";

export const AuditQuery = t.Object({
  type: t.Optional(t.String({ maxLength: 128, description: "the event name, e.g. session.start, desktop.clipboard.send" })),
  sid: t.Optional(t.String({ maxLength: 128, description: "events of this session" })),
  from: t.Optional(timeParam("from", "events at or after this time")),
  to: t.Optional(timeParam("to", "events at or before this time")),
  limit: t.Optional(wholeNumber("limit", 1, MAX_AUDIT_LIMIT, "at most this many, default 100")),
});
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditEvent = t.Object(
  {
    event: t.String(),
    code: t.Optional(t.String()),
    time: t.String({ format: "date-time" }),
    sid: t.Optional(t.String()),
    user: t.Optional(t.String()),
  },
  { additionalProperties: true, description: "A Teleport audit event; fields beyond these are kept as they were written" },
);

export const AuditEvents = t.Object({ events: t.Array(AuditEvent) });
export type AuditEvents = Static<typeof AuditEvents>;
