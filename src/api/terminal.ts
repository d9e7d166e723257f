// GET /v1/recordings/:id/terminal: an SSH recording's output and resizes for the web terminal.
import { type Static, t } from "elysia";

const TerminalSizeBody = t.Object({ cols: t.Integer({ minimum: 1 }), rows: t.Integer({ minimum: 1 }) });

/** The answer (the server writes it by hand as it reads the recording; this is its shape). */
export const TerminalBody = t.Object({
  events: t.Array(t.Union([
    t.Object({ t_ms: t.Integer(), kind: t.Literal("output"), data: t.String({ description: "base64 of the output bytes" }) }),
    t.Object({ t_ms: t.Integer(), kind: t.Literal("resize"), cols: t.Integer(), rows: t.Integer() }),
  ])),
  size: TerminalSizeBody,
  duration_ms: t.Integer(),
  truncated: t.Boolean(),
});
export type TerminalBody = Static<typeof TerminalBody>;
