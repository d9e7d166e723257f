// Which web origins may use the login cookie: the server's own (the Host the request was sent to) and the
// configured public URL. Browsers send the cookie with WebSocket upgrades from any site and WebSockets have no
// CORS, so a socket that accepts the cookie must check Origin itself; state-changing requests are checked too.

/** `scheme://host[:port]` of DESKREEL_PUBLIC_URL, or null. */
export function publicOrigin(publicUrl: URL | null): string | null {
  return publicUrl ? publicUrl.origin : null;
}

/** Is `origin` (an Origin header) this server: same host and port as the request, or the public URL's origin? */
export function isOwnOrigin(request: Request, origin: string, allowed: string | null): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
  if (allowed !== null && parsed.origin === allowed) return true;
  const host = request.headers.get("host") ?? new URL(request.url).host;
  return parsed.host === host.toLowerCase();
}

export function isWebSocketUpgrade(request: Request): boolean {
  return (request.headers.get("upgrade") ?? "").toLowerCase() === "websocket";
}

/**
 * Why a WebSocket upgrade carrying the login cookie is refused, or null when its page is ours. Browsers always
 * send Origin on upgrades; a cookie without one is not a browser we can vouch for.
 */
export function socketOriginProblem(request: Request, allowed: string | null): string | null {
  const origin = request.headers.get("origin");
  if (!origin) return "a WebSocket that uses the login cookie needs an Origin header";
  if (!isOwnOrigin(request, origin, allowed)) return `WebSocket from another origin (${origin.slice(0, 200)}) refused`;
  return null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A state-changing request that a page on another site made the browser send (a CSRF attempt). */
export function isCrossSiteWrite(request: Request, allowed: string | null = null): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const origin = request.headers.get("origin");
  if (!origin) return false;
  return origin === "null" || !isOwnOrigin(request, origin, allowed);
}
