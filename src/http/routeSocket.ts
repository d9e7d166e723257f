// The few things our WebSocket routes do with a socket, typed once over Elysia's handler argument (whose `raw`
// is Bun's ServerWebSocket) instead of cast in every route. Frames go out through `raw`: the routes send bytes
// and JSON text they made themselves, with no response schema for Elysia to apply.
import type { Principal } from "../auth/principal.ts";

export interface RouteSocket {
  /** Elysia's id of the connection, stable from open to close. */
  readonly id: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** Bytes queued for the peer and not yet sent (a slow viewer's backlog). */
  bufferedAmount(): number;
}

/** What routeSocket reads from Elysia's ws handler argument. */
export interface ElysiaSocket {
  readonly id: string;
  readonly raw: { send(data: string | Uint8Array): number; close(code?: number, reason?: string): void };
}

export function routeSocket(ws: ElysiaSocket): RouteSocket {
  const { raw } = ws;
  return {
    id: ws.id,
    send: (data) => void raw.send(data),
    close: (code, reason) => raw.close(code, reason),
    bufferedAmount: () => bufferedAmount(raw),
  };
}

/** Bun's ServerWebSocket has getBufferedAmount(); the copy of its type that Elysia ships does not declare it. */
function bufferedAmount(raw: object): number {
  if (!("getBufferedAmount" in raw) || typeof raw.getBufferedAmount !== "function") throw new Error("this socket cannot tell its send backlog");
  const amount: unknown = raw.getBufferedAmount();
  if (typeof amount !== "number") throw new Error("getBufferedAmount() did not return a number");
  return amount;
}

/** The part of the account service a socket needs: being told when the credential it came with ends. */
export interface CredentialEnds {
  whenCredentialEnds(principal: Principal, onEnded: (reason: string) => void): () => void;
}

/**
 * Closes the socket with 1008 and the reason ("token revoked", "logged out: …") when the credential it was
 * opened with ends; `principal` null (a peer node) is never cut off. Returns the unsubscribe function.
 */
export function closeWhenCredentialEnds(auth: CredentialEnds, socket: Pick<RouteSocket, "close">, principal: Principal | null, log?: (reason: string) => void): () => void {
  if (principal === null) return () => undefined;
  return auth.whenCredentialEnds(principal, (reason) => {
    log?.(reason);
    socket.close(1008, reason);
  });
}
