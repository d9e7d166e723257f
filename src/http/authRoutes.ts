// Login, logout, "who am I", and the admin-only account routes; plus the guard every other module uses to learn
// who is calling. Answers are JSON; errors are `{ "error": "..." }` with 400/401/403/404/409.
import { Elysia } from "elysia";
import type { ClientInfo } from "../auth/accountAudit.ts";
import type { AuthService } from "../auth/authService.ts";
import { AuthConflictError, AuthInputError } from "../auth/errors.ts";
import { canManageUsers, type Authenticator, type Principal, type Role } from "../auth/principal.ts";
import { HttpError, jsonError } from "./errors.ts";
import { isCrossSiteWrite, isWebSocketUpgrade, socketOriginProblem } from "./origin.ts";

export { isCrossSiteWrite };

/** An HttpError that renders itself, so it answers correctly from any module, with or without an error hook. */
export class AuthHttpError extends HttpError {
  toResponse(): Response {
    return jsonError(this.status, this.message, this.extra);
  }
}

export const unauthorizedError = (message = "authentication required") => new AuthHttpError(401, message);
export const forbiddenError = (message = "forbidden") => new AuthHttpError(403, message);

export interface PrincipalContext {
  principal: Principal | null;
}

/** The caller, or throw 401. */
export function requirePrincipal(ctx: PrincipalContext): Principal {
  if (!ctx.principal) throw unauthorizedError();
  return ctx.principal;
}

/** The caller, or throw 401 (anonymous) / 403 (not `allowed`). */
export function requirePermission(ctx: PrincipalContext, allowed: (p: Principal) => boolean, what: string): Principal {
  const p = requirePrincipal(ctx);
  if (!allowed(p)) throw forbiddenError(`you may not ${what}`);
  return p;
}

/** Like requirePermission, for agents' endpoints: only a bearer token counts, never the login cookie. */
export function requireTokenPermission(ctx: PrincipalContext, allowed: (p: Principal) => boolean, what: string): Principal {
  const p = requirePrincipal(ctx);
  if (p.via !== "token") throw forbiddenError(`to ${what}, use a bearer token (Authorization: Bearer ...); the login cookie is not accepted here`);
  if (!allowed(p)) throw forbiddenError(`you may not ${what}`);
  return p;
}

/**
 * Puts `principal: Principal | null` into the context of the routes of the instance that uses it.
 * Cookie credentials on cross-site writes are ignored (SameSite=Lax already stops most; this stops the rest), and
 * a WebSocket upgrade with the cookie from a page that is not ours is refused (403).
 */
export function authGuard(auth: Authenticator) {
  return new Elysia().derive({ as: "scoped" }, async ({ request }) => {
    let principal: Principal | null = await auth.authenticate(request);
    if (principal?.via === "cookie") {
      const allowed = auth.publicOrigin ?? null;
      if (isWebSocketUpgrade(request)) {
        const problem = socketOriginProblem(request, allowed);
        if (problem) throw forbiddenError(problem);
      } else if (isCrossSiteWrite(request, allowed)) {
        principal = null;
      }
    }
    return { principal };
  });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

function field(body: unknown, ...names: string[]): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  for (const name of names) {
    const value = record[name];
    if (typeof value === "string") return value;
  }
  return undefined;
}

/** Only same-site paths: never `//evil.example` or `/\evil.example`. */
export function safeNextPath(next: string | undefined | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f]/.test(next)) return "/";
  return next;
}

/** A plain HTML form post from a browser (no script): answer with redirects instead of JSON. */
function isBrowserFormPost(request: Request): boolean {
  const type = request.headers.get("content-type") ?? "";
  const accept = request.headers.get("accept") ?? "";
  return (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) &&
    accept.includes("text/html");
}

function accountError(err: unknown): Response {
  if (err instanceof AuthInputError) return jsonError(400, err.message);
  if (err instanceof AuthConflictError) return jsonError(409, err.message);
  throw err;
}

/** The client's address (the socket peer) and user agent, for throttling and the audit log. */
function clientInfo(request: Request, server: { requestIP(r: Request): { address: string } | null } | null): ClientInfo {
  return { address: server?.requestIP(request)?.address ?? null, userAgent: request.headers.get("user-agent") };
}

function describe(p: Principal) {
  return { name: p.name, role: p.role, via: p.via };
}

export function authRoutes(auth: AuthService) {
  const adminOnly = (ctx: PrincipalContext) => requirePermission(ctx, canManageUsers, "manage users and tokens");
  return new Elysia()
    .use(authGuard(auth))
    .post("/v1/auth/login", async ({ request, body, server }) => {
      const formPost = isBrowserFormPost(request);
      const next = safeNextPath(field(body, "next"));
      if (isCrossSiteWrite(request, auth.publicOrigin)) return jsonError(403, "cross-site login refused");
      const username = field(body, "username", "name", "user");
      const password = field(body, "password");
      if (!username || !password) return jsonError(400, "username and password are required");
      const result = await auth.login(username, password, clientInfo(request, server));
      if (!result.ok && result.reason !== "invalid") {
        const message = result.reason === "throttled"
          ? `too many failed logins: try again in ${result.retryAfterSeconds} s`
          : "the server is busy checking passwords: try again in a moment";
        return json(result.reason === "throttled" ? 429 : 503, { error: message, retry_after_s: result.retryAfterSeconds }, {
          "retry-after": String(result.retryAfterSeconds),
        });
      }
      if (!result.ok) {
        if (formPost) {
          return new Response(null, { status: 303, headers: { location: `/login?error=1&next=${encodeURIComponent(next)}` } });
        }
        return jsonError(401, "invalid user name or password");
      }
      if (formPost) return new Response(null, { status: 303, headers: { location: next, "set-cookie": result.cookie } });
      return json(200, describe(result.principal), { "set-cookie": result.cookie });
    })
    .post("/v1/auth/logout", ({ request }) => {
      if (isCrossSiteWrite(request, auth.publicOrigin)) return jsonError(403, "cross-site logout refused");
      const cookie = auth.logout(request);
      return json(200, { ok: true }, { "set-cookie": cookie });
    })
    .get("/v1/auth/me", (ctx) => json(200, describe(requirePrincipal(ctx))))
    .get("/v1/users", (ctx) => {
      adminOnly(ctx);
      return json(200, { items: auth.listUsers() });
    })
    .post("/v1/users", async (ctx) => {
      adminOnly(ctx);
      const name = field(ctx.body, "name", "username");
      const password = field(ctx.body, "password");
      const role = (field(ctx.body, "role") ?? "user") as Role;
      try {
        return json(201, await auth.createUser(name ?? "", password ?? "", role, ctx.principal));
      } catch (err) {
        return accountError(err);
      }
    })
    .delete("/v1/users/:name", (ctx) => {
      const me = adminOnly(ctx);
      if (ctx.params.name === me.name && me.via === "cookie") return jsonError(400, "you cannot delete yourself");
      return auth.deleteUser(ctx.params.name, me) ? new Response(null, { status: 204 }) : jsonError(404, "no such user");
    })
    .patch("/v1/users/:name", (ctx) => {
      const me = adminOnly(ctx);
      const role = field(ctx.body, "role");
      if (role === undefined) return jsonError(400, "role is required");
      if (ctx.params.name === me.name && me.via === "cookie") return jsonError(400, "you cannot change your own role");
      if (!auth.getUser(ctx.params.name)) return jsonError(404, "no such user");
      try {
        return json(200, auth.setRole(ctx.params.name, role as Role, me));
      } catch (err) {
        return accountError(err);
      }
    })
    .post("/v1/users/:name/password", async (ctx) => {
      const me = adminOnly(ctx);
      const password = field(ctx.body, "password");
      if (!auth.getUser(ctx.params.name)) return jsonError(404, "no such user");
      try {
        // Every browser session of that user ends; an admin changing their own keeps a fresh one.
        const cookie = await auth.setPassword(ctx.params.name, password ?? "", me, ctx.request);
        return new Response(null, { status: 204, headers: cookie ? { "set-cookie": cookie } : {} });
      } catch (err) {
        return accountError(err);
      }
    })
    .get("/v1/tokens", (ctx) => {
      adminOnly(ctx);
      return json(200, { items: auth.listTokens() });
    })
    .post("/v1/tokens", async (ctx) => {
      const me = adminOnly(ctx);
      const name = field(ctx.body, "name") ?? "";
      const role = (field(ctx.body, "role") ?? "agent") as Role;
      try {
        const token = await auth.createToken(name, role, me);
        return json(201, { id: auth.tokenId(token), name: name.trim(), role, token });
      } catch (err) {
        return accountError(err);
      }
    })
    .delete("/v1/tokens/:id", (ctx) => {
      const me = adminOnly(ctx);
      return auth.revokeToken(ctx.params.id, me) ? new Response(null, { status: 204 }) : jsonError(404, "no such active token");
    });
}
