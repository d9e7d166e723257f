// GET /v1/recordings/:id/live (WebSocket): the fragmented-MP4 init segment, then media fragments as the
// encoder makes them (a joining viewer first gets the fragments since the last keyframe), then a text
// frame {"type":"end"} when the session ends. A text frame {"type":"init","mime":...} precedes the init
// segment so a MediaSource player knows the codec string. A session live on another node is relayed from
// that node (peerProxy.ts) after the user is checked here.
import { Elysia } from "elysia";
import { RecordingIdParams } from "../api/common.ts";
import type { Principal } from "../auth/principal.ts";
import type { Services } from "../services.ts";
import { authGuard } from "./authRoutes.ts";
import { closeWhenCredentialEnds, type RouteSocket, routeSocket } from "./routeSocket.ts";
import { errorMessage } from "../errorMessage.ts";
import { openPeerLive, remoteOwner, type RemoteOwner } from "./peerProxy.ts";
import { requireReader, visibleRecording } from "./recordingRoutes.ts";

/** A viewer this far behind skips to the next keyframe instead of growing our memory. */
const MAX_VIEWER_BACKLOG = 8 * 1024 * 1024;


type Cleanup = () => void;

/**
 * Streams this node's live session `id` to a viewer socket (init, fragments, end). Returns what to run when the
 * viewer goes, or null when the session is not live here (the viewer was sent "end"). `principal` (null for a
 * peer node) is cut off when its credential ends.
 */
export function attachLiveViewer(services: Services, socket: RouteSocket, id: string, principal: Principal | null): Cleanup | null {
  const session = services.live.get(id);
  if (!session) {
    // Not (or no longer) live: the player should use video.mp4.
    socket.send(JSON.stringify({ type: "end" }));
    socket.close(1000, "not live");
    return null;
  }
  let skipping = false;
  const live = session.video.live;
  const unsubscribe = live.subscribe((chunk, info) => {
    if (info.kind === "init") {
      socket.send(JSON.stringify({ type: "init", mime: live.mimeType() }));
      socket.send(chunk);
      return;
    }
    if (socket.bufferedAmount() > MAX_VIEWER_BACKLOG) skipping = true;
    if (skipping && !info.isKey) return;
    skipping = false;
    socket.send(chunk);
  });
  const offEnd = live.onEnd((end) => {
    socket.send(JSON.stringify({ type: "end", end_ms: end.endMs }));
    socket.close(1000, "session ended");
  });
  // A viewer is cut off when its token is revoked or its login session ends (logout, password, role, deletion).
  const offLogout = closeWhenCredentialEnds(services.auth, socket, principal);
  return () => {
    unsubscribe();
    offEnd();
    offLogout();
  };
}

/**
 * Relays a session live on another node: the owner's stream, message for message. A viewer too slow to take
 * it is closed (the owner already drops fragments towards us up to the next keyframe).
 */
function relayLiveViewer(services: Services, socket: RouteSocket, id: string, owner: RemoteOwner, principal: Principal): Cleanup {
  const peer = openPeerLive(services, owner, id);
  let done = false;
  peer.onmessage = (event) => {
    if (done) return;
    if (socket.bufferedAmount() > 2 * MAX_VIEWER_BACKLOG) {
      socket.close(1013, "viewer too slow");
      return;
    }
    socket.send(typeof event.data === "string" ? event.data : new Uint8Array(event.data as ArrayBuffer));
  };
  const finish = (code: number, reason: string) => {
    if (done) return;
    done = true;
    socket.close(code, reason);
  };
  peer.onclose = (event) => finish(event.code === 1000 ? 1000 : 1011, event.reason || `node ${owner.node} closed the stream`);
  peer.onerror = () => finish(1011, `node ${owner.node} did not answer`);
  const offLogout = closeWhenCredentialEnds(services.auth, socket, principal);
  return () => {
    done = true;
    offLogout();
    if (peer.readyState === WebSocket.OPEN || peer.readyState === WebSocket.CONNECTING) peer.close(1000, "viewer left");
  };
}

export function liveRoutes(services: Services) {
  const viewers = new Map<string, Cleanup>();
  /** Viewers that left before their relay was set up. */
  const left = new Set<string>();
  return new Elysia()
    .use(authGuard(services.auth))
    .ws("/v1/recordings/:id/live", {
      params: RecordingIdParams,
      async beforeHandle(ctx) {
        const principal = requireReader(ctx);
        const row = await visibleRecording(services, principal, ctx.params.id);
        // Checked here, so a missing secret or unknown owner is an HTTP error on the upgrade, not a silent end.
        await remoteOwner(services, row);
      },
      open(ws) {
        const { id } = ws.data.params;
        const principal = ws.data.principal as Principal;
        const socket = routeSocket(ws);
        if (!services.live.get(id)) {
          // Live on another node? Then relay its stream; else this sends "end".
          void (async () => {
            const row = await services.catalog.getRecording(id);
            const owner = row ? await remoteOwner(services, row).catch(() => null) : null;
            if (!owner) {
              attachLiveViewer(services, socket, id, principal);
              return;
            }
            if (left.delete(socket.id)) return;
            services.accessLog.record(principal, id, "live");
            viewers.set(socket.id, relayLiveViewer(services, socket, id, owner, principal));
          })().catch((err: unknown) => {
            services.log(`live relay of ${id}: ${errorMessage(err)}`);
            socket.close(1011, "relay failed");
          });
          return;
        }
        const cleanup = attachLiveViewer(services, socket, id, principal);
        if (!cleanup) return;
        services.accessLog.record(principal, id, "live");
        viewers.set(socket.id, cleanup);
      },
      close(ws) {
        const socket = routeSocket(ws);
        const cleanup = viewers.get(socket.id);
        if (cleanup) cleanup();
        else if (!services.live.get(ws.data.params.id)) left.add(socket.id);
        viewers.delete(socket.id);
      },
    });
}
