// What this node serves other nodes of its cluster (peerProxy.ts is the calling side): the recording, growing
// MP4 and live stream of a session recorded here. Only requests signed with the cluster secret get in; the
// calling node has checked its user already, and logs the access there.
import { Elysia, t } from "elysia";
import { verifyNodeRequest } from "../cluster/nodeAuth.ts";
import type { RecordingRow } from "../catalog/types.ts";
import type { Services } from "../services.ts";
import { isValidSessionId } from "../storage/sessionKeys.ts";
import { HttpError } from "./errors.ts";
import { attachLiveViewer } from "./liveRoutes.ts";
import { routeSocket } from "./routeSocket.ts";
import { PEER_PREFIX } from "./peerProxy.ts";
import { recordingTarResponse, videoMp4Response } from "./recordingRoutes.ts";

const Params = t.Object({ id: t.String() });

function requirePeer(services: Services, request: Request): void {
  const check = verifyNodeRequest(services.config.clusterSecret, request);
  if (!check.ok) throw new HttpError(401, `node request refused: ${check.reason}`);
}

async function rowOf(services: Services, id: string): Promise<RecordingRow> {
  const row = isValidSessionId(id) ? await services.catalog.getRecording(id) : null;
  if (!row) throw new HttpError(404, `recording ${id} not found`);
  return row;
}

export function peerRoutes(services: Services) {
  const viewers = new Map<string, () => void>();
  const hidden = { detail: { hide: true } };
  return new Elysia()
    .route("GET", `${PEER_PREFIX}/:id/recording.tar`, async ({ request, params }) => {
      requirePeer(services, request);
      return recordingTarResponse(services, await rowOf(services, params.id), request);
    }, { params: Params, ...hidden })
    .route("GET", `${PEER_PREFIX}/:id/video.mp4`, async ({ request, params }) => {
      requirePeer(services, request);
      return videoMp4Response(services, await rowOf(services, params.id), request);
    }, { params: Params, ...hidden })
    .route("HEAD", `${PEER_PREFIX}/:id/video.mp4`, async ({ request, params }) => {
      requirePeer(services, request);
      return videoMp4Response(services, await rowOf(services, params.id), request);
    }, { params: Params, ...hidden })
    .ws(`${PEER_PREFIX}/:id/live`, {
      params: Params,
      ...hidden,
      beforeHandle({ request }) {
        requirePeer(services, request);
      },
      open(ws) {
        const socket = routeSocket(ws);
        const cleanup = attachLiveViewer(services, socket, ws.data.params.id, null);
        if (cleanup) viewers.set(socket.id, cleanup);
      },
      close(ws) {
        const socket = routeSocket(ws);
        viewers.get(socket.id)?.();
        viewers.delete(socket.id);
      },
    });
}
