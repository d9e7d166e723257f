// GET /v1/status (admins and auditors): the sessions live right now with their ingest counters and, for
// desktops, how far their video encoding lags; imports being encoded; and the encoder pool's load.
// What `deskreel watch` shows.
import { Elysia } from "elysia";
import { errors } from "../api/common.ts";
import { StatusBody, type StatusSession, type StatusVideo } from "../api/status.ts";
import { seesAllRecordings } from "../auth/principal.ts";
import type { Services } from "../services.ts";
import type { VideoSessionStats } from "../video/pool/videoPool.ts";
import { authGuard, requirePermission } from "./authRoutes.ts";

function videoOf(stats: VideoSessionStats): StatusVideo {
  return {
    worker: stats.worker, lag_ms: Math.round(stats.lagMs), fps: Math.round(stats.fps * 10) / 10, frames: stats.frames,
    dropped_frames: stats.droppedFrames, same_frames: stats.sameFrames, encoded_bytes: stats.encodedBytes, failed: stats.failed,
  };
}

export function buildStatus(services: Services, now = Date.now()): StatusBody {
  const ssh = services.ssh;
  const pool = services.pool.stats();
  const videoById = new Map(pool.sessions.map((s) => [s.id, s]));
  const sessions: StatusSession[] = [];
  for (const session of services.live.all()) {
    const stats = session.stats();
    const video = videoById.get(session.sessionId);
    videoById.delete(session.sessionId);
    sessions.push({
      id: session.sessionId, kind: "desktop", user: session.info.user, login: session.info.login,
      desktop: session.info.desktopName, started: new Date(session.openedAt).toISOString(), duration_ms: Math.round(stats.durationMs),
      messages: stats.messages, bytes: stats.bytes, rejected: stats.rejected, video: video ? videoOf(video) : null,
    });
  }
  for (const session of ssh.all()) {
    const stats = session.stats();
    sessions.push({
      id: session.sessionId, kind: "ssh", user: session.info.user, login: session.info.login, desktop: session.info.host,
      started: new Date(session.openedAt).toISOString(), duration_ms: Math.round(stats.durationMs),
      messages: stats.messages, bytes: stats.bytes, rejected: stats.rejected, video: null,
    });
  }
  sessions.sort((a, b) => a.started.localeCompare(b.started) || a.id.localeCompare(b.id));
  const imports = [...videoById.values()].map((s) => ({ id: s.id, ...videoOf(s) }));
  return {
    time: new Date(now).toISOString(),
    pool: {
      workers: pool.workers.map((w) => ({ index: w.index, sessions: w.sessions, busy: Math.round(w.busy * 100) / 100, restarts: w.restarts })),
      sessions: pool.sessions.length,
    },
    sessions,
    imports,
  };
}

export function statusRoutes(services: Services) {
  return new Elysia()
    .use(authGuard(services.auth))
    .get("/v1/status", (ctx) => {
      requirePermission(ctx, seesAllRecordings, "see the server's status");
      return buildStatus(services);
    }, {
      response: { 200: StatusBody, ...errors(401, 403) },
      detail: { tags: ["status"], summary: "Live sessions, encode lag and encoder load (admins, auditors)" },
    });
}
