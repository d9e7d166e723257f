// GET /v1/recordings/:id/live (WebSocket): the fragmented-MP4 init segment, then media fragments as the
// encoder makes them (a joining viewer first gets the fragments since the last keyframe), then a text
// frame {"type":"end"} when the session ends. A text frame {"type":"init","mime":...} precedes the init
// segment so a MediaSource player knows the codec string.
import { Elysia } from "elysia";
import { RecordingIdParams } from "../api/common.ts";
import type { Principal } from "../auth/principal.ts";
import type { Services } from "../services.ts";
import { type RouteSocket, routeSocket } from "./routeSocket.ts";
import { authGuard } from "./authRoutes.ts";
import { requireReader, visibleRecording } from "./recordingRoutes.ts";

/** A viewer this far behind skips to the next keyframe instead of growing our memory. */
const MAX_VIEWER_BACKLOG = 8 * 1024 * 1024;


export function liveRoutes(services: Services) {
  const viewers = new Map<string, () => void>();
  return new Elysia()
    .use(authGuard(services.auth))
    .ws("/v1/recordings/:id/live", {
      params: RecordingIdParams,
      async beforeHandle(ctx) {
        const principal = requireReader(ctx);
        await visibleRecording(services, principal, ctx.params.id);
      },
      open(ws) {
        const { id } = ws.data.params;
        const principal = ws.data.principal as Principal;
        const socket = routeSocket(ws);
        const session = services.live.get(id);
        if (!session) {
          // Not (or no longer) live: the player should use video.mp4.
          socket.send(JSON.stringify({ type: "end" }));
          socket.close(1000, "not live");
          return;
        }
        services.accessLog.record(principal, id, "live");
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
        // A viewer on the login cookie is cut off when that account's sessions end (password, role, deletion).
        const offLogout = principal.via === "cookie"
          ? services.auth.onSessionsEnded((user) => {
            if (user === principal.name) socket.close(1008, "logged out: the account changed");
          })
          : () => false;
        viewers.set(socket.id, () => {
          unsubscribe();
          offEnd();
          offLogout();
        });
      },
      close(ws) {
        const socket = routeSocket(ws);
        viewers.get(socket.id)?.();
        viewers.delete(socket.id);
      },
    });
}
