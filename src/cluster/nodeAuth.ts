// Node-to-node requests (one node proxying a live session from its owner, say) are signed with the cluster
// secret: HMAC-SHA256 over the time, the calling node, the method and the path with its query. A signature is
// good for 60 s either side of the receiver's clock. The secret is never a user credential: a signed request
// says which node asks, not which user; the calling node checks its user before it calls.
import { createHmac, timingSafeEqual } from "node:crypto";

export const NODE_NAME_HEADER = "x-deskreel-node";
export const NODE_SIGNATURE_HEADER = "x-deskreel-node-signature";
export const NODE_SIGNATURE_WINDOW_MS = 60_000;

function signature(secret: string, timeMs: number, node: string, method: string, target: string): Buffer {
  return createHmac("sha256", secret).update(`${timeMs}\n${node}\n${method.toUpperCase()}\n${target}`).digest();
}

/** The path and query of a URL: what the signature covers, so a proxy may change the host. */
export function signedTarget(url: string | URL): string {
  const u = typeof url === "string" ? new URL(url) : url;
  return u.pathname + u.search;
}

/** Headers that authenticate a request from node `node` to `url`. */
export function nodeRequestHeaders(secret: string, node: string, method: string, url: string | URL, nowMs = Date.now()): Record<string, string> {
  const mac = signature(secret, nowMs, node, method, signedTarget(url)).toString("base64url");
  return { [NODE_NAME_HEADER]: node, [NODE_SIGNATURE_HEADER]: `t=${nowMs},s=${mac}` };
}

export type NodeAuthResult = { ok: true; node: string } | { ok: false; reason: string };

/**
 * Checks a request's node signature in constant time. Fails when the server has no cluster secret, the headers
 * are missing or malformed, the time is outside the window, or the signature does not match.
 */
export function verifyNodeRequest(secret: string | null, request: Request, nowMs = Date.now()): NodeAuthResult {
  if (secret === null) return { ok: false, reason: "this node has no DESKREEL_CLUSTER_SECRET" };
  const node = request.headers.get(NODE_NAME_HEADER);
  const header = request.headers.get(NODE_SIGNATURE_HEADER);
  if (!node || !header) return { ok: false, reason: "not a signed node request" };
  const m = /^t=(\d{1,15}),s=([A-Za-z0-9_-]{43})$/.exec(header);
  if (!m) return { ok: false, reason: "malformed node signature" };
  const timeMs = Number(m[1]);
  if (Math.abs(nowMs - timeMs) > NODE_SIGNATURE_WINDOW_MS) return { ok: false, reason: "node signature expired (check the nodes' clocks)" };
  const expected = signature(secret, timeMs, node, request.method, signedTarget(request.url));
  const given = Buffer.from(m[2], "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad node signature" };
  return { ok: true, node };
}
