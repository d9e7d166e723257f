// Login, logout, "who am I", and the admin-only account routes; plus the guard every other module uses to learn
// who is calling. Answers are JSON; errors are `{ "error": "..." }` with 400/401/403/404/409.
import { Elysia, t } from "elysia";
import { LoginBody, Me, NewPassword, NewRole, NewToken, NewUser, Ok, TokenCreated, TokenList, TokenParams, User, UserList, UserParams } from "../api/auth.ts";
import { errors } from "../api/common.ts";
import type { ClientInfo } from "../auth/accountAudit.ts";
import type { AuthService } from "../auth/authService.ts";
import { AuthConflictError, AuthInputError } from "../auth/errors.ts";
import { canManageUsers, type Authenticator, type Principal, type Role } from "../auth/principal.ts";
import { JSON_BODY_LIMIT, limitedBody } from "./bodyLimit.ts";
import { answerHttpError, HttpError, jsonError } from "./errors.ts";
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
  return new Elysia().derive({ as: "scoped" }, async ({ request }) => ({ principal: await principalOf(auth, request) }));
}

const principals = new WeakMap<Request, Promise<Principal | null>>();

/** The request's caller (see authGuard), worked out once per request: a body parser needs it before the guard runs. */
export function principalOf(auth: Authenticator, request: Request): Promise<Principal | null> {
  let found = principals.get(request);
  if (!found) {
    found = callerOf(auth, request);
    principals.set(request, found);
  }
  return found;
}

async function callerOf(auth: Authenticator, request: Request): Promise<Principal | null> {
  const principal = await auth.authenticate(request);
  if (principal?.via !== "cookie") return principal;
  const allowed = auth.publicOrigin ?? null;
  if (isWebSocketUpgrade(request)) {
    const problem = socketOriginProblem(request, allowed);
    if (problem) throw forbiddenError(problem);
    return principal;
  }
  return isCrossSiteWrite(request, allowed) ? null : principal;
}

/** A body parser that reads at most `limit` bytes, and only for a caller `allowed` to use the route (else 401/403). */
export function permittedBody(auth: Authenticator, allowed: (p: Principal) => boolean, what: string, limit = JSON_BODY_LIMIT) {
  return limitedBody({ limit, gate: async (request) => requirePermission({ principal: await principalOf(auth, request) }, allowed, what) });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
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
  const manage = "manage users and tokens";
  const adminOnly = (ctx: PrincipalContext) => requirePermission(ctx, canManageUsers, manage);
  const adminBody = permittedBody(auth, canManageUsers, manage);
  const tags = ["accounts"];
  return new Elysia()
    .use(authGuard(auth))
    .onError(answerHttpError)
    .post("/v1/auth/login", async ({ request, body, server }) => {
      const formPost = isBrowserFormPost(request);
      const next = safeNextPath(body.next);
      if (isCrossSiteWrite(request, auth.publicOrigin)) return jsonError(403, "cross-site login refused");
      const username = body.username ?? body.name ?? body.user;
      const password = body.password;
      if (!username || !password) return jsonError(400, "username and password are required");
      const result = await auth.login(username, password, clientInfo(request, server));
      if (!result.ok && result.reason !== "invalid") {
        if (formPost) {
          const retry = `error=wait&retry=${result.retryAfterSeconds}&next=${encodeURIComponent(next)}`;
          return new Response(null, { status: 303, headers: { location: `/login?${retry}`, "retry-after": String(result.retryAfterSeconds) } });
        }
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
    }, {
      parse: limitedBody({ limit: JSON_BODY_LIMIT }),
      body: LoginBody,
      response: { 200: Me, ...errors(400, 401, 403, 413, 429, 503) },
      detail: {
        tags, summary: "Log in", security: [],
        description: "JSON `{username, password}` → the session cookie (Set-Cookie) and who you are. An HTML form post is answered with 303 redirects instead. Repeated failures are throttled: 429 with Retry-After.",
      },
    })
    .post("/v1/auth/logout", async ({ request }) => {
      if (isCrossSiteWrite(request, auth.publicOrigin)) return jsonError(403, "cross-site logout refused");
      const cookie = await auth.logout(request);
      return json(200, { ok: true }, { "set-cookie": cookie });
    }, { response: { 200: Ok, ...errors(403) }, detail: { tags, summary: "Log out (ends the session cookie)", security: [] } })
    .get("/v1/auth/me", (ctx) => json(200, describe(requirePrincipal(ctx))), {
      response: { 200: Me, ...errors(401) },
      detail: { tags, summary: "Who am I" },
    })
    .get("/v1/users", async (ctx) => {
      adminOnly(ctx);
      return json(200, { items: await auth.listUsers() });
    }, { response: { 200: UserList, ...errors(401, 403) }, detail: { tags, summary: "List users (admins)" } })
    .post("/v1/users", async (ctx) => {
      adminOnly(ctx);
      const name = ctx.body.name ?? ctx.body.username;
      const role = (ctx.body.role ?? "user") as Role;
      try {
        return json(201, await auth.createUser(name ?? "", ctx.body.password ?? "", role, ctx.principal));
      } catch (err) {
        return accountError(err);
      }
    }, {
      parse: adminBody,
      body: NewUser,
      response: { 201: User, ...errors(400, 401, 403, 409, 413) },
      detail: { tags, summary: "Create a user (admins)" },
    })
    .delete("/v1/users/:name", async (ctx) => {
      const me = adminOnly(ctx);
      if (ctx.params.name === me.name && me.via === "cookie") return jsonError(400, "you cannot delete yourself");
      return (await auth.deleteUser(ctx.params.name, me)) ? new Response(null, { status: 204 }) : jsonError(404, "no such user");
    }, {
      params: UserParams,
      response: { 204: noContent, ...errors(400, 401, 403, 404) },
      detail: { tags, summary: "Delete a user (admins)", description: "Their browser sessions and API tokens end with them, and so do the sockets opened with those (1008)." },
    })
    .patch("/v1/users/:name", async (ctx) => {
      const me = adminOnly(ctx);
      const role = ctx.body.role;
      if (role === undefined) return jsonError(400, "role is required");
      if (ctx.params.name === me.name && me.via === "cookie") return jsonError(400, "you cannot change your own role");
      if (!(await auth.getUser(ctx.params.name))) return jsonError(404, "no such user");
      try {
        return json(200, await auth.setRole(ctx.params.name, role as Role, me));
      } catch (err) {
        return accountError(err);
      }
    }, {
      parse: adminBody,
      params: UserParams,
      body: NewRole,
      response: { 200: User, ...errors(400, 401, 403, 404, 413) },
      detail: { tags, summary: "Change a user's role (admins)", description: "Their browser sessions end." },
    })
    .post("/v1/users/:name/password", async (ctx) => {
      const me = adminOnly(ctx);
      if (!(await auth.getUser(ctx.params.name))) return jsonError(404, "no such user");
      try {
        // Every browser session of that user ends; an admin changing their own keeps a fresh one.
        const cookie = await auth.setPassword(ctx.params.name, ctx.body.password ?? "", me, ctx.request);
        return new Response(null, { status: 204, headers: cookie ? { "set-cookie": cookie } : {} });
      } catch (err) {
        return accountError(err);
      }
    }, {
      parse: adminBody,
      params: UserParams,
      body: NewPassword,
      response: { 204: noContent, ...errors(400, 401, 403, 404, 413) },
      detail: { tags, summary: "Set a user's password (admins)", description: "Every browser session of that user ends." },
    })
    .get("/v1/tokens", async (ctx) => {
      adminOnly(ctx);
      return json(200, { items: await auth.listTokens() });
    }, { response: { 200: TokenList, ...errors(401, 403) }, detail: { tags, summary: "List API tokens (admins; never their secrets)" } })
    .post("/v1/tokens", async (ctx) => {
      const me = adminOnly(ctx);
      const name = ctx.body.name ?? "";
      const role = (ctx.body.role ?? "agent") as Role;
      try {
        const token = await auth.createToken(name, role, me);
        return json(201, { id: auth.tokenId(token), name: name.trim(), role, token });
      } catch (err) {
        return accountError(err);
      }
    }, {
      parse: adminBody,
      body: NewToken,
      response: { 201: TokenCreated, ...errors(400, 401, 403, 413) },
      detail: { tags, summary: "Create an API token (admins)", description: "The secret is in this answer only." },
    })
    .delete("/v1/tokens/:id", async (ctx) => {
      const me = adminOnly(ctx);
      return (await auth.revokeToken(ctx.params.id, me)) ? new Response(null, { status: 204 }) : jsonError(404, "no such active token");
    }, { params: TokenParams, response: { 204: noContent, ...errors(401, 403, 404) }, detail: {
      tags, summary: "Revoke an API token (admins)",
      description: "Ingest and live sockets opened with it are closed at once (1008 `token revoked`); their sessions end as on a disconnect.",
    } });
}

const noContent = t.Void({ description: "done" });
