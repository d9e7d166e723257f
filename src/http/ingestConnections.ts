// Per-socket bookkeeping for ingest WebSockets: opening a session takes a few awaits, and frames (or
// the close) can arrive meanwhile. Frames are held in order until the session is open; a close that
// came first ends the session as soon as it exists.
import { t } from "elysia";
import type { Services } from "../services.ts";
import { isValidSessionId } from "../storage/sessionKeys.ts";
import { HttpError } from "./errors.ts";

interface Connection<S, F> {
  session: S | null;
  pending: F[];
  closedEarly: boolean;
  /** Run once when the socket goes (or its session could not be created). */
  release: () => void;
}

export class IngestConnections<S, F> {
  private readonly connections = new Map<string, Connection<S, F>>();

  /** The socket opened; its session is being created. `release` runs once when the socket is forgotten. */
  begin(socketId: string, release: () => void = () => undefined): void {
    this.connections.set(socketId, { session: null, pending: [], closedEarly: false, release });
  }

  /** The session could not be created: forget the socket. */
  abandon(socketId: string): void {
    this.connections.get(socketId)?.release();
    this.connections.delete(socketId);
  }

  /**
   * The session is open. Returns the frames that arrived meanwhile, in order, and whether the socket
   * already closed (then the caller ends the session after handling them).
   */
  opened(socketId: string, session: S): { pending: F[]; closedEarly: boolean } {
    const conn = this.connections.get(socketId);
    if (!conn) return { pending: [], closedEarly: true };
    conn.session = session;
    const pending = conn.pending;
    conn.pending = [];
    if (conn.closedEarly) this.connections.delete(socketId);
    return { pending, closedEarly: conn.closedEarly };
  }

  /**
   * A frame arrived. Returns the session to hand it to, or null when there is none yet (the frame,
   * made by `hold` — which must copy socket-owned buffers — is queued) or the socket is unknown.
   */
  frame(socketId: string, hold: () => F): S | null {
    const conn = this.connections.get(socketId);
    if (!conn) return null;
    if (conn.session === null) {
      conn.pending.push(hold());
      return null;
    }
    return conn.session;
  }

  /** The socket's session, if it is open. */
  session(socketId: string): S | null {
    return this.connections.get(socketId)?.session ?? null;
  }

  /** The socket closed. Returns the session to end, or null (none yet: it is ended once open). */
  close(socketId: string): S | null {
    const conn = this.connections.get(socketId);
    if (!conn) return null;
    conn.release();
    if (conn.session === null) {
      conn.closedEarly = true;
      return null;
    }
    this.connections.delete(socketId);
    return conn.session;
  }

  /** Sockets known (open or opening). */
  get size(): number {
    return this.connections.size;
  }
}

/** A session id an agent asked for must be usable and new (live or recorded): else 400 or 409. */
export async function assertNewSessionId(services: Services, sid: string | undefined): Promise<void> {
  if (sid === undefined) return;
  if (!isValidSessionId(sid)) throw new HttpError(400, "session_id may hold only letters, digits, - and _");
  if (services.live.has(sid) || services.ssh.has(sid) || (await services.catalog.getRecording(sid))) {
    throw new HttpError(409, `session ${sid} already exists`);
  }
}

/** A required name in an ingest query (user, login, desktop or host). */
export const ingestName = (max: number) => t.String({ minLength: 1, maxLength: max });

/** A binary WebSocket frame's bytes, or null for a text frame. */
export function frameBytes(message: unknown): Uint8Array | null {
  if (message instanceof Uint8Array) return message;
  if (message instanceof ArrayBuffer) return new Uint8Array(message);
  return null;
}
