// Live sessions recorded on another node. A live session's recording and growing MP4 exist only on the node
// that ingests it (its spool; S3 has parts and pieces, not an object), and its live fragments only in that
// node's memory. So the node a user reached checks the user (as for any recording), then asks the owner node
// over its peer routes (peerRoutes.ts), signed with the cluster secret, and relays the answer.
import { nodeRequestHeaders } from "../cluster/nodeAuth.ts";
import type { RecordingRow } from "../catalog/types.ts";
import { errorMessage } from "../errorMessage.ts";
import type { Services } from "../services.ts";
import { HttpError } from "./errors.ts";

export const PEER_PREFIX = "/internal/v1/recordings";

/** Request headers a relayed blob read keeps (ranges and validators). */
const FORWARDED_REQUEST = ["range", "if-range", "if-none-match", "if-modified-since"];
/** Response headers relayed back. */
const FORWARDED_RESPONSE = ["content-type", "content-length", "content-range", "accept-ranges", "etag", "last-modified", "cache-control"];

export interface RemoteOwner {
  node: string;
  url: string;
}

/**
 * The node to ask for a live session this node does not record, or null: the session is not live, is
 * recorded here, or has no other owner. Throws 503 when the owner is unknown or this node has no secret.
 */
export async function remoteOwner(services: Services, row: RecordingRow): Promise<RemoteOwner | null> {
  if (row.status !== "live" || row.ownerNode === null || row.ownerNode === services.node.name) return null;
  if (services.live.get(row.id) || services.ssh.get(row.id)) return null;
  if (services.config.clusterSecret === null) {
    throw new HttpError(503, `recording ${row.id} is live on node ${row.ownerNode}; this node has no DESKREEL_CLUSTER_SECRET to ask it`);
  }
  const url = await services.cluster.nodeUrl(row.ownerNode);
  if (url === null) throw new HttpError(503, `recording ${row.id} is live on node ${row.ownerNode}, which the cluster registry does not know`);
  return { node: row.ownerNode, url };
}

function peerUrl(owner: RemoteOwner, id: string, what: string): URL {
  return new URL(`${PEER_PREFIX}/${encodeURIComponent(id)}/${what}`, owner.url);
}

function signed(services: Services, method: string, url: URL): Record<string, string> {
  return nodeRequestHeaders(services.config.clusterSecret ?? "", services.node.name, method, url);
}

/** GET/HEAD of a live session's blob (`recording.tar`, `video.mp4`) from its owner, ranges and all. */
export async function relayBlob(services: Services, owner: RemoteOwner, id: string, what: string, request: Request, extraHeaders: Record<string, string> = {}): Promise<Response> {
  const url = peerUrl(owner, id, what);
  const headers: Record<string, string> = signed(services, request.method, url);
  for (const name of FORWARDED_REQUEST) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  let upstream: Response;
  try {
    upstream = await fetch(url, { method: request.method, headers, redirect: "manual" });
  } catch (err) {
    throw new HttpError(502, `recording ${id} is live on node ${owner.node}, which did not answer: ${errorMessage(err)}`);
  }
  const out = new Headers(extraHeaders);
  for (const name of FORWARDED_RESPONSE) {
    const value = upstream.headers.get(name);
    if (value !== null) out.set(name, value);
  }
  out.set("x-deskreel-node", owner.node);
  return new Response(request.method === "HEAD" ? null : upstream.body, { status: upstream.status, headers: out });
}

/** A WebSocket to the owner's live stream of session `id` (signed on the upgrade request). */
export function openPeerLive(services: Services, owner: RemoteOwner, id: string): WebSocket {
  const url = peerUrl(owner, id, "live");
  const headers = signed(services, "GET", url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  // Bun's WebSocket takes request headers (a browser's does not; this runs on the server).
  const socket = new WebSocket(url, { headers } as unknown as string[]);
  socket.binaryType = "arraybuffer";
  return socket;
}
