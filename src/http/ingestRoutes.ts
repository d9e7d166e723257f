// GET /v1/ingest/desktop (WebSocket): one live desktop session per socket, one TDP message per binary
// frame — legacy TDP, or TDPB (`u32 length | Envelope`, first byte 0x00). The session starts when the
// socket opens and ends when it closes.
import { Elysia, t } from "elysia";
import { canIngest } from "../auth/principal.ts";
import type { Services } from "../services.ts";
import { isValidSessionId } from "../storage/sessionKeys.ts";
import { DesktopSession, type IngestReply } from "../sessions/desktopSession.ts";
import { encodeMessage, encodeTdpb } from "../tdp/codec.ts";
import { MessageType, Severity } from "../tdp/messages.ts";
import { TdpbSeverity } from "../tdp/tdpb/messages.ts";
import { closeWhenCredentialEnds, type RouteSocket, routeSocket } from "./routeSocket.ts";
import { authGuard, requireTokenPermission } from "./authRoutes.ts";
import { assertNewSessionId, frameBytes, IngestConnections, ingestName } from "./ingestConnections.ts";
import { HttpError } from "./errors.ts";
import { errorMessage } from "../errorMessage.ts";


/** A frame held while the session opens: its bytes (null for a text frame) and arrival time. */
interface HeldFrame {
  data: Uint8Array | null;
  at: number;
}

const NOT_BINARY: IngestReply = { kind: "alert", message: "deskreel expects binary frames, one TDP or TDPB message each" };


/** An error alert in the sender's own era: TDPB for a sender that speaks TDPB, else legacy type 28. */
function alertBytes(message: string, tdpb: boolean): Uint8Array {
  const text = message.slice(0, 10_000);
  return tdpb
    ? encodeTdpb({ kind: "alert", message: text, severity: TdpbSeverity.Error })
    : encodeMessage({ type: MessageType.Alert, message: text, severity: Severity.Error });
}


export function ingestRoutes(services: Services) {
  const connections = new IngestConnections<DesktopSession, HeldFrame>();

  function reply(socket: RouteSocket, session: DesktopSession, result: IngestReply): void {
    if (result.kind === "alert") socket.send(alertBytes(result.message, session.speaksTdpb));
    else if (result.kind === "close") socket.close(result.code, result.reason);
  }

  return new Elysia()
    .use(authGuard(services.auth))
    .ws("/v1/ingest/desktop", {
      query: t.Object({
        desktop: ingestName(256),
        user: ingestName(256),
        login: ingestName(256),
        addr: t.Optional(t.String({ maxLength: 256 })),
        session_id: t.Optional(t.String({ maxLength: 128 })),
      }),
      async beforeHandle(ctx) {
        const principal = requireTokenPermission(ctx, canIngest, "ingest desktop sessions");
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
        const openedAt = Date.now();
        let session: DesktopSession;
        try {
          session = await DesktopSession.open(services.sessionDeps, {
            sessionId,
            user: q.user, login: q.login, desktopName: q.desktop, desktopAddr: q.addr ?? "",
            clusterName: services.config.cluster, keepClipboardContent: services.config.keepClipboard,
          }, openedAt);
        } catch (err) {
          services.log(`ingest: could not start a session for ${q.user}@${q.desktop}: ${errorMessage(err)}`);
          connections.abandon(socket.id);
          socket.close(1011, "recording unavailable");
          return;
        }
        services.live.add(session);
        session.onAlert = (message) => socket.send(alertBytes(message, session.speaksTdpb));
        session.onFatal = (code, reason) => socket.close(code, reason);
        services.log(`session ${session.sessionId} started: ${q.user} on ${q.desktop}`);
        const { pending, closedEarly } = connections.opened(socket.id, session);
        for (const { data, at } of pending) reply(socket, session, data ? session.handle(data, at) : NOT_BINARY);
        if (closedEarly) void endSession(session, Date.now());
      },
      message(ws, message) {
        const socket = routeSocket(ws);
        const data = frameBytes(message);
        const at = Date.now();
        // Replies keep the order of the frames, also for those that arrive while the session opens.
        const session = connections.frame(socket.id, () => ({ data: data?.slice() ?? null, at }));
        if (session) reply(socket, session, data ? session.handle(data, at) : NOT_BINARY);
      },
      close(ws) {
        const id = ws.id;
        const principal = ws.data.principal;
        if (principal) services.agentSessions.release(principal, id);
        const session = connections.close(id);
        if (session) void endSession(session, Date.now());
      },
    });

  async function endSession(session: DesktopSession, at: number): Promise<void> {
    try {
      await session.close(at);
      services.log(`session ${session.sessionId} ended (${Math.round(session.stats().durationMs / 1000)} s, ${session.stats().messages} messages)`);
    } catch (err) {
      services.log(`session ${session.sessionId}: ending failed: ${errorMessage(err)}`);
    } finally {
      services.live.remove(session);
    }
  }
}
