// The browser session cookie: its name, how it is read from a request and how Set-Cookie values are written.

export const SESSION_COOKIE = "deskreel_session";

/** The value of one cookie in a Cookie header, or null. */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
    } catch {
      return null;
    }
  }
  return null;
}

/** Set-Cookie for a session id: not readable by scripts, not sent on cross-site subrequests or POSTs. */
export function sessionSetCookie(sessionId: string, maxAgeSeconds: number, secure = false): string {
  const expires = new Date(Date.now() + maxAgeSeconds * 1000).toUTCString();
  const parts = [
    `${SESSION_COOKIE}=${encodeURIComponent(sessionId)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${maxAgeSeconds}`,
    `Expires=${expires}`,
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

/** Set-Cookie that makes the browser forget the session cookie. */
export function clearSessionCookie(secure = false): string {
  const parts = [
    `${SESSION_COOKIE}=`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    "Max-Age=0",
    "Expires=Thu, 01 Jan 1970 00:00:00 GMT",
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

/** The bearer token of an Authorization header, or null. */
export function readBearer(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (!header) return null;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}
