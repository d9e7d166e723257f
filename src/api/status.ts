// GET /v1/status: live sessions with their ingest counters and video lag, imports being encoded, the encoder
// pool's load (what `deskreel watch` shows).
import { type Static, t } from "elysia";

export const StatusVideo = t.Object({
  worker: t.Integer(),
  lag_ms: t.Integer(),
  fps: t.Number(),
  frames: t.Integer(),
  dropped_frames: t.Integer(),
  same_frames: t.Integer({ description: "frames not encoded: byte for byte the previous picture" }),
  encoded_bytes: t.Integer(),
  failed: t.Boolean(),
});
export type StatusVideo = Static<typeof StatusVideo>;

export const StatusSession = t.Object({
  id: t.String(),
  kind: t.Union([t.Literal("desktop"), t.Literal("ssh")]),
  user: t.String(),
  login: t.String(),
  desktop: t.String({ description: "the desktop's name, or the SSH host" }),
  started: t.String({ format: "date-time" }),
  duration_ms: t.Integer(),
  messages: t.Integer(),
  bytes: t.Integer(),
  rejected: t.Integer({ description: "messages refused as bad input" }),
  video: t.Union([StatusVideo, t.Null()], { description: "null for SSH sessions (no video)" }),
});
export type StatusSession = Static<typeof StatusSession>;

export const StatusImport = t.Composite([t.Object({ id: t.String() }), StatusVideo]);
export type StatusImport = Static<typeof StatusImport>;

export const StatusBody = t.Object({
  time: t.String({ format: "date-time" }),
  pool: t.Object({
    workers: t.Array(t.Object({ index: t.Integer(), sessions: t.Integer(), busy: t.Number(), restarts: t.Integer() })),
    sessions: t.Integer(),
  }),
  sessions: t.Array(StatusSession),
  imports: t.Array(StatusImport, { description: "video encodes that belong to no live session (imports)" }),
});
export type StatusBody = Static<typeof StatusBody>;
