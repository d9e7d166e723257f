// Legal hold and deletion of recordings (admins): request bodies and answers.
import { type Static, t } from "elysia";

export const LegalHoldView = t.Object(
  {
    by: t.String({ description: "the admin who put it on hold" }),
    at: t.String({ format: "date-time" }),
    reason: t.String(),
  },
  { description: "set while the recording is on legal hold: neither retention nor an admin can delete it" },
);
export type LegalHoldView = Static<typeof LegalHoldView>;

const reason = (description: string) => t.String({ maxLength: 1000, description });

export const HoldBody = t.Object({ reason: t.Optional(reason("why it is held (a case number, a request); shown and audited")) });
export type HoldBody = Static<typeof HoldBody>;

export const DeleteBody = t.Object({ reason: t.Optional(reason("why it is deleted; audited")) });
export type DeleteBody = Static<typeof DeleteBody>;

export const Deleted = t.Object({
  id: t.String(),
  objects: t.Integer({ minimum: 0, description: "stored objects deleted (recording, videos, thumbnail, previews)" }),
  bytes: t.Integer({ minimum: 0 }),
});
export type Deleted = Static<typeof Deleted>;
