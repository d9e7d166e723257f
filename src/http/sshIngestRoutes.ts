// GET /v1/ingest/ssh?host=&user=&login=[&addr=][&session_id=][&cols=&rows=] (WebSocket): one live SSH
// session per socket, starting when the socket opens and ending when it closes; cols/rows are the
// terminal size at the start (default 80x24). Binary frames are terminal output; text frames are
// control messages, {"resize":{"cols":C,"rows":R}}. Bad frames are answered with {"error": "..."}.
import { Elysia, getSchemaValidator, t } from "elysia";
import { ControlFrame, terminalSideParam, UNKNOWN_CONTROL } from "../api/ingest.ts";
import { problemText } from "../api/validation.ts";
import { canIngest } from "../auth/principal.ts";
import type { Services } from "../services.ts";
import { isValidSessionId } from "../storage/sessionKeys.ts";
import type { TerminalSize } from "../recording/terminalResize.ts";
import { SshSession } from "../sessions/sshSession.ts";
import { closeWhenCredentialEnds, type RouteSocket, routeSocket } from "./routeSocket.ts";
import { authGuard, requireTokenPermission } from "./authRoutes.ts";
import { HttpError } from "./errors.ts";
import { assertNewSessionId, frameBytes, IngestConnections, ingestName } from "./ingestConnections.ts";
import { errorMessage } from "../errorMessage.ts";


type SshFrame = { kind: "output"; data: Uint8Array; at: number } | { kind: "resize"; size: TerminalSize; at: number };

/** A sender that keeps sending garbage is cut off after this many rejected frames. */
const MAX_BAD_FRAMES = 100;
const DEFAULT_SIZE: TerminalSize = { cols: 80, rows: 24 };

const side = t.Optional(terminalSideParam);
const controlFrame = getSchemaValidator(ControlFrame);

/** A control frame (Elysia hands over JSON text already parsed): the new size, or why it is refused. */
export function parseControlFrame(message: unknown): TerminalSize | string {
  let value = message;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return "text frames must be JSON control messages";
    }
  }
  if (typeof value !== "object" || value === null || !("resize" in value)) return UNKNOWN_CONTROL;
  if (!controlFrame?.Check(value)) return problemText(controlFrame?.Errors(value).First(), "control message");
  const { cols, rows } = (value as ControlFrame).resize;
  return { cols, rows };
}

export function sshIngestRoutes(services: Services) {
  const sessions = services.ssh;
  const connections = new IngestConnections<SshSession, SshFrame>();

  function deliver(session: SshSession, frame: SshFrame): void {
    if (frame.kind === "output") session.output(frame.data, frame.at);
    else session.resize(frame.size, frame.at);
  }

  function refuse(socket: RouteSocket, session: SshSession | null, reason: string): void {
    const count = session?.noteRejected(reason) ?? 0;
    if (count > MAX_BAD_FRAMES) socket.close(1007, `too many invalid frames (${count}); last: ${reason}`.slice(0, 120));
    else socket.send(JSON.stringify({ error: reason }));
  }

  return new Elysia()
    .use(authGuard(services.auth))
    .ws("/v1/ingest/ssh", {
      query: t.Object({
        host: ingestName(256),
        user: ingestName(256),
        login: ingestName(256),
        addr: t.Optional(t.String({ maxLength: 256 })),
        session_id: t.Optional(t.String({ maxLength: 128 })),
        cols: side,
        rows: side,
      }),
      async beforeHandle(ctx) {
        const principal = requireTokenPermission(ctx, canIngest, "ingest SSH sessions");
        if (!services.agentSessions.hasRoom(principal)) throw new HttpError(429, services.agentSessions.refusal(principal));
        await assertNewSessionId(services, ctx.query.session_id);
      },
      async open(ws) {
        const socket = routeSocket(ws);
        const principal = ws.data.principal;
        // Counted here, synchronously, so parallel upgrades cannot all pass the early check.
        if (principal && !services.agentSessions.acquire(principal, socket.id)) {
          socket.close(1008, services.agentSessions.refusal(principal).slice(0, 120));
          return;
        }
        const q = ws.data.query;
        const sessionId = q.session_id ?? crypto.randomUUID();
        // A revoked token ends the session at once, like a disconnect.
        connections.begin(socket.id, closeWhenCredentialEnds(services.auth, socket, principal, (reason) => {
          services.log(`session ${sessionId}: closing its ingest socket: ${reason}`);
        }));
        let session: SshSession;
        try {
          session = await SshSession.open(services.sessionDeps, {
            sessionId, user: q.user, login: q.login, host: q.host,
            hostAddr: q.addr ?? "", clusterName: services.config.cluster,
            size: { cols: q.cols ?? DEFAULT_SIZE.cols, rows: q.rows ?? DEFAULT_SIZE.rows },
          });
        } catch (err) {
          services.log(`ssh ingest: could not start a session for ${q.user}@${q.host}: ${errorMessage(err)}`);
          connections.abandon(socket.id);
          socket.close(1011, "recording unavailable");
          return;
        }
        sessions.add(session);
        session.onFatal = (code, reason) => socket.close(code, reason);
        services.log(`session ${session.sessionId} started: ${q.user} as ${q.login} on ${q.host} (ssh)`);
        const { pending, closedEarly } = connections.opened(socket.id, session);
        for (const frame of pending) deliver(session, frame);
        if (closedEarly) void endSession(session, Date.now());
      },
      message(ws, message) {
        const socket = routeSocket(ws);
        const at = Date.now();
        const data = frameBytes(message);
        let frame: SshFrame;
        if (data !== null) {
          frame = { kind: "output", data, at };
        } else {
          const size = parseControlFrame(message);
          if (typeof size === "string") {
            refuse(socket, connections.session(socket.id), size);
            return;
          }
          frame = { kind: "resize", size, at };
        }
        // The socket owns a binary buffer only for this call: copy it if the session is still opening.
        const session = connections.frame(socket.id, () => (frame.kind === "output" ? { ...frame, data: frame.data.slice() } : frame));
        if (session) deliver(session, frame);
      },
      close(ws) {
        const socket = routeSocket(ws);
        const principal = ws.data.principal;
        if (principal) services.agentSessions.release(principal, socket.id);
        const session = connections.close(socket.id);
        if (session) void endSession(session, Date.now());
      },
    });

  async function endSession(session: SshSession, at: number): Promise<void> {
    try {
      await session.close(at);
      const stats = session.stats();
      services.log(`session ${session.sessionId} ended (${Math.round(stats.durationMs / 1000)} s, ${stats.bytes} bytes of output)`);
    } catch (err) {
      services.log(`session ${session.sessionId}: ending failed: ${errorMessage(err)}`);
    } finally {
      sessions.remove(session);
    }
  }
}
