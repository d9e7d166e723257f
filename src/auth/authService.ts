// Logging in, browser sessions and bearer tokens: turns a request into a Principal and manages accounts.
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensurePrivateDir, makeDatabasePrivate } from "../privateFiles.ts";
import type { AuditLog } from "../recording/tee.ts";
import { AccountAudit, type ClientInfo } from "./accountAudit.ts";
import { type AuthStore, SqlAuthStore, type TokenRow } from "./authStore.ts";
import { type SqlRunner, SqliteRunner } from "../db/sqlRunner.ts";
import { type CredentialEnded, CredentialWatch, DEFAULT_RECHECK_MS, REVOKED, storedCredentialCheck } from "./credentialWatch.ts";
import { clearSessionCookie, readBearer, readCookie, SESSION_COOKIE, sessionSetCookie } from "./cookies.ts";
import { AuthConflictError, AuthInputError } from "./errors.ts";
import { LoginThrottle } from "./loginThrottle.ts";
import { PasswordBusyError, PasswordWork } from "./passwordWork.ts";
import type { Authenticator, Principal, Role } from "./principal.ts";
import { digestsEqual, randomHex, randomPassword, randomSecret, secretsEqual, sha256Hex } from "./secrets.ts";
import { checkAdminToken, checkPassword, checkTokenName, checkTokenRole, checkUserName, checkUserRole, MIN_ADMIN_TOKEN_LENGTH } from "./validation.ts";

export interface AuthServiceOptions {
  dataDir: string;
  /** DESKREEL_ADMIN_TOKEN, or null to create one under the data dir on first start. */
  adminToken: string | null;
  log?: (line: string) => void;
  /** A browser login ends after this long without requests (default 12 hours)... */
  sessionIdleSeconds?: number;
  /** ...and this long after it began in any case (default 24 hours). */
  sessionMaxSeconds?: number;
  /** DESKREEL_PUBLIC_URL: https turns on `Secure` cookies; its origin may use the cookie besides the server's own. */
  publicUrl?: URL | null;
  /** The main audit log, for account events (none: not audited). */
  auditLog?: AuditLog | null;
  throttle?: LoginThrottle;
  passwords?: PasswordWork;
  now?: () => number;
  /**
   * The database every node shares (PostgreSQL): accounts live there, so they work on every node. Not given:
   * auth.sqlite in the data dir. Login throttling stays per node either way.
   */
  database?: SqlRunner | null;
  /**
   * How often open sockets' credentials are checked against the store (default 10 s), which is how a token
   * revoked or a session ended on another node sharing the database reaches this node's sockets.
   */
  credentialRecheckMs?: number;
}

export interface UserInfo {
  name: string;
  role: Role;
  created: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  created: string;
  last_used: string | null;
  revoked: boolean;
  /** The user the token belongs to (it ends with them); null for tokens made with the configured admin token. */
  owner: string | null;
}

export type LoginOutcome =
  | { ok: true; /** The full Set-Cookie header value. */ cookie: string; principal: Principal }
  | { ok: false; reason: "invalid" }
  /** Too many failures for this user or address: wait, then try again (429). */
  | { ok: false; reason: "throttled"; retryAfterSeconds: number }
  /** Too many password checks running already (503). */
  | { ok: false; reason: "busy"; retryAfterSeconds: number };

const DEFAULT_IDLE_SECONDS = 12 * 60 * 60;
const DEFAULT_MAX_SECONDS = 24 * 60 * 60;
const ADMIN_TOKEN_FILE = "admin-token";
const TOKEN_PREFIX = "drt_";
const TOKEN_ID = /^drt_([0-9a-f]{16})_([A-Za-z0-9_-]{20,})$/;
/** Write last-use times at most this often, so a busy agent or page does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;
const NO_CLIENT: ClientInfo = { address: null, userAgent: null };

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class AuthService implements Authenticator {
  private dummyHash: Promise<string> | null = null;
  private readonly credentials: CredentialWatch;
  readonly publicOrigin: string | null;
  private readonly secureCookies: boolean;
  private readonly audit: AccountAudit;
  private readonly throttle: LoginThrottle;
  private readonly passwords: PasswordWork;
  private readonly now: () => number;

  constructor(
    private readonly store: AuthStore,
    /** The admin bearer token in force (configured or created under the data dir). */
    readonly adminToken: string,
    private readonly idleSeconds: number,
    private readonly maxSeconds: number,
    options: Pick<AuthServiceOptions, "publicUrl" | "auditLog" | "log" | "throttle" | "passwords" | "now" | "credentialRecheckMs"> = {},
  ) {
    this.publicOrigin = options.publicUrl?.origin ?? null;
    this.secureCookies = options.publicUrl?.protocol === "https:";
    this.now = options.now ?? Date.now;
    this.audit = new AccountAudit(options.auditLog ?? null, options.log ?? ((l) => console.warn(l)), this.now);
    this.throttle = options.throttle ?? new LoginThrottle(undefined, undefined, this.now);
    this.passwords = options.passwords ?? new PasswordWork();
    this.credentials = new CredentialWatch(
      storedCredentialCheck(store, this.now, idleSeconds * 1000),
      options.log ?? ((l) => console.warn(l)),
      options.credentialRecheckMs ?? DEFAULT_RECHECK_MS,
    );
  }

  async authenticate(request: Request): Promise<Principal | null> {
    const bearer = readBearer(request);
    if (bearer !== null) return this.principalForToken(bearer);
    const sessionId = readCookie(request, SESSION_COOKIE);
    if (sessionId) return this.principalForSession(sessionId);
    return null;
  }

  async principalForToken(token: string): Promise<Principal | null> {
    if (secretsEqual(token, this.adminToken)) return { name: "admin", role: "admin", via: "token" };
    const m = TOKEN_ID.exec(token);
    if (!m) return null;
    const row = await this.store.getToken(m[1]);
    if (!row || row.revoked_at !== null) return null;
    if (!digestsEqual(sha256Hex(m[2]), row.secret_hash)) return null;
    const now = this.now();
    if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) await this.store.touchToken(row.id, now);
    return { name: row.name, role: row.role, via: "token", ...(row.owner === null ? {} : { owner: row.owner }), tokenId: row.id };
  }

  private async principalForSession(sessionId: string): Promise<Principal | null> {
    const idHash = sha256Hex(sessionId);
    const now = this.now();
    const row = await this.store.findSession(idHash, now, now - this.idleSeconds * 1000);
    if (!row) return null;
    if (now - row.last_seen_at > TOUCH_INTERVAL_MS) await this.store.touchSession(idHash, now);
    return { name: row.user_name, role: row.role, via: "cookie", loginSession: idHash };
  }

  /**
   * Checks the password, throttled per user name and client address; on success opens a browser session.
   * Unknown users cost the same time as wrong passwords. Every attempt that reaches the password check is audited.
   */
  async login(username: string, password: string, client: ClientInfo = NO_CLIENT): Promise<LoginOutcome> {
    if (typeof username !== "string" || typeof password !== "string" || password.length > 1024 || username.length > 256) {
      return { ok: false, reason: "invalid" };
    }
    const verdict = this.throttle.check(username, client.address);
    if (verdict.retryAfterMs > 0) return { ok: false, reason: "throttled", retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000) };
    const user = await this.store.getUser(username);
    let valid: boolean;
    try {
      valid = await this.passwords.verify(password, user ? user.password_hash : await this.dummyPasswordHash());
    } catch (err) {
      if (err instanceof PasswordBusyError) return { ok: false, reason: "busy", retryAfterSeconds: 1 };
      throw err;
    }
    if (!user || !valid) {
      const waitMs = this.throttle.failed(username, client.address);
      const lockedForS = Math.ceil(waitMs / 1000);
      this.audit.login(username, client, { ok: false, error: user ? "wrong password" : "unknown user", lockedForS });
      return { ok: false, reason: "invalid" };
    }
    this.throttle.succeeded(username);
    const { cookie, idHash } = await this.openSession(user.name);
    this.audit.login(user.name, client, { ok: true });
    return { ok: true, cookie, principal: { name: user.name, role: user.role, via: "cookie", loginSession: idHash } };
  }

  /**
   * Calls `onEnded` once, with a reason for a WebSocket close frame, when the credential `principal` came with
   * ends: its token is revoked (by hand, or because its owner was deleted or is no longer an admin), or its login
   * session ends (logout; password or role change or deletion of the user). Returns the unsubscribe function.
   * The configured admin token never ends. Changes made on another node are seen at the next re-check.
   */
  whenCredentialEnds(principal: Principal, onEnded: CredentialEnded): () => void {
    return this.credentials.watch(principal, onEnded);
  }

  /** Checks every watched credential against the store now (the periodic re-check, for tests and shutdown). */
  recheck(): Promise<void> {
    return this.credentials.recheck();
  }

  /** Ends the request's browser session (if any) and returns the Set-Cookie value that clears the cookie. */
  async logout(request: Request): Promise<string> {
    const sessionId = readCookie(request, SESSION_COOKIE);
    if (sessionId) {
      const idHash = sha256Hex(sessionId);
      await this.store.deleteSession(idHash);
      this.credentials.sessionEnded(idHash, "logged out");
    }
    return clearSessionCookie(this.secureCookies);
  }

  async createUser(name: string, password: string, role: Role, actor: Principal | null = null): Promise<UserInfo> {
    checkUserName(name);
    checkPassword(password);
    checkUserRole(role);
    const created = this.now();
    const inserted = await this.store.insertUser({ name, role, password_hash: await this.passwords.hash(password), created_at: created });
    if (!inserted) throw new AuthConflictError(`user "${name}" exists already`);
    this.audit.userCreated(actor, name, role);
    return { name, role, created: iso(created) };
  }

  /**
   * Sets a new password and ends every browser session of that user. When the actor is that user in a browser,
   * their own session is replaced by a fresh one: the returned Set-Cookie value (else null).
   */
  async setPassword(name: string, password: string, actor: Principal, request: Request | null = null): Promise<string | null> {
    checkPassword(password);
    if (!(await this.store.updatePassword(name, await this.passwords.hash(password)))) throw new AuthInputError(`no user "${name}"`);
    const ended = await this.store.deleteSessionsOf(name);
    this.sessionsEnded(name);
    const self = actor.via === "cookie" && actor.name === name && request !== null && readCookie(request, SESSION_COOKIE) !== null;
    this.audit.passwordChanged(actor, name, ended);
    return self ? (await this.openSession(name)).cookie : null;
  }

  /**
   * Changes a user's role. Their browser sessions end (they log in again under the new role), and when they are
   * no longer an admin the tokens they made are revoked (they could not make them now).
   */
  async setRole(name: string, role: Role, actor: Principal): Promise<UserInfo> {
    checkUserRole(role);
    const user = await this.store.getUser(name);
    if (!user) throw new AuthInputError(`no user "${name}"`);
    if (user.role === role) return { name, role, created: iso(user.created_at) };
    await this.store.updateRole(name, role);
    await this.store.deleteSessionsOf(name);
    this.sessionsEnded(name);
    if (role !== "admin") await this.revokeTokensOf(name, actor);
    this.audit.roleChanged(actor, name, role, user.role);
    return { name, role, created: iso(user.created_at) };
  }

  /** Removes the user, ends their sessions and revokes the tokens they made. */
  async deleteUser(name: string, actor: Principal): Promise<boolean> {
    const tokens = (await this.store.listTokens()).filter((t) => t.owner === name && t.revoked_at === null).map((t) => t.id);
    if (!(await this.store.deleteUser(name, this.now()))) return false;
    this.sessionsEnded(name);
    for (const id of tokens) {
      this.credentials.tokenEnded(id, `${REVOKED}: its owner was deleted`);
      this.audit.tokenDeleted(actor, id, `its owner ${name} was deleted`);
    }
    this.audit.userDeleted(actor, name, tokens.length);
    return true;
  }

  async getUser(name: string): Promise<UserInfo | null> {
    const u = await this.store.getUser(name);
    return u ? { name: u.name, role: u.role, created: iso(u.created_at) } : null;
  }

  async listUsers(): Promise<UserInfo[]> {
    return (await this.store.listUsers()).map((u) => ({ name: u.name, role: u.role, created: iso(u.created_at) }));
  }

  /**
   * Creates a bearer token; only its hash is kept, so the returned secret is shown once. The token belongs to the
   * user who made it (a token made with a token belongs to that token's owner) and ends with them.
   */
  async createToken(name: string, role: Role, actor: Principal | null = null): Promise<string> {
    const tokenName = checkTokenName(name);
    checkTokenRole(role);
    const id = randomHex(8);
    const secret = randomSecret(32);
    await this.store.insertToken({
      id,
      name: tokenName,
      role,
      secret_hash: sha256Hex(secret),
      created_at: this.now(),
      last_used_at: null,
      revoked_at: null,
      owner: actor === null ? null : actor.via === "cookie" ? actor.name : (actor.owner ?? null),
    });
    if (actor) this.audit.tokenCreated(actor, id, tokenName, role);
    return `${TOKEN_PREFIX}${id}_${secret}`;
  }

  /** The id of a token this service issued (the part before its secret), or null. */
  tokenId(token: string): string | null {
    return TOKEN_ID.exec(token)?.[1] ?? null;
  }

  /** Revokes by token id or by the full token. False when there was no such active token. */
  async revokeToken(idOrToken: string, actor: Principal | null = null): Promise<boolean> {
    const id = this.tokenId(idOrToken) ?? idOrToken;
    if (!(await this.store.revokeToken(id, this.now()))) return false;
    this.credentials.tokenEnded(id, REVOKED);
    this.audit.tokenDeleted(actor, id, "revoked");
    return true;
  }

  async listTokens(): Promise<TokenInfo[]> {
    return (await this.store.listTokens()).map((t: TokenRow) => ({
      id: t.id,
      name: t.name,
      role: t.role,
      created: iso(t.created_at),
      last_used: t.last_used_at === null ? null : iso(t.last_used_at),
      revoked: t.revoked_at !== null,
      owner: t.owner,
    }));
  }

  /** Login throttling and password-check load, for status pages and tests. */
  stats() {
    return {
      throttle: this.throttle.stats(), passwords: this.passwords.stats(), auditFailures: this.audit.stats().failures,
      credentials: this.credentials.stats(),
    };
  }

  close(): Promise<void> {
    this.credentials.close();
    return this.store.close();
  }

  private sessionsEnded(user: string): void {
    this.credentials.sessionsOfUserEnded(user, "logged out: the account changed");
  }

  private async revokeTokensOf(name: string, actor: Principal): Promise<void> {
    for (const id of await this.store.revokeTokensOf(name, this.now())) {
      this.credentials.tokenEnded(id, `${REVOKED}: its owner is no longer an admin`);
      this.audit.tokenDeleted(actor, id, `its owner ${name} is no longer an admin`);
    }
  }

  /** A new login session: its Set-Cookie value and the stored hash of its id. */
  private async openSession(userName: string): Promise<{ cookie: string; idHash: string }> {
    const now = this.now();
    await this.store.deleteExpiredSessions(now, now - this.idleSeconds * 1000);
    const sessionId = randomSecret(32);
    const idHash = sha256Hex(sessionId);
    await this.store.insertSession(idHash, userName, now, now + this.maxSeconds * 1000);
    return { cookie: sessionSetCookie(sessionId, this.maxSeconds, this.secureCookies), idHash };
  }

  private dummyPasswordHash(): Promise<string> {
    this.dummyHash ??= this.passwords.hash(randomSecret(16));
    return this.dummyHash;
  }
}

async function loadOrCreateAdminToken(dataDir: string): Promise<{ token: string; created: boolean }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const token = (await readFile(path, "utf8")).trim();
    if (token.length >= MIN_ADMIN_TOKEN_LENGTH) return { token, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const token = randomSecret(32);
  await writeFile(path, token + "\n", { mode: 0o600 });
  await chmod(path, 0o600);
  return { token, created: true };
}

export async function createAuthService(options: AuthServiceOptions): Promise<AuthService> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (options.adminToken) checkAdminToken(options.adminToken);
  ensurePrivateDir(options.dataDir);
  const store = await openAuthStore(options);
  try {
    const admin = options.adminToken
      ? { token: options.adminToken, created: false }
      : await loadOrCreateAdminToken(options.dataDir);
    const maxSeconds = options.sessionMaxSeconds ?? DEFAULT_MAX_SECONDS;
    const service = new AuthService(store, admin.token, Math.min(options.sessionIdleSeconds ?? DEFAULT_IDLE_SECONDS, maxSeconds), maxSeconds, options);
    if ((await store.countUsers()) === 0) {
      const password = randomPassword();
      try {
        await service.createUser("admin", password, "admin");
        log(`first start: created user "admin" with password ${password} (log in on the web page; change it soon)`);
      } catch (err) {
        // Another node sharing the database made it first: its start printed the password.
        if (!(err instanceof AuthConflictError)) throw err;
      }
    }
    if (admin.created) {
      log(`admin API token (stored in ${join(options.dataDir, ADMIN_TOKEN_FILE)}): ${admin.token}`);
      log(`use it as: Authorization: Bearer ${admin.token}`);
    }
    const now = options.now?.() ?? Date.now();
    await store.deleteExpiredSessions(now, now - Math.min(options.sessionIdleSeconds ?? DEFAULT_IDLE_SECONDS, maxSeconds) * 1000);
    return service;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The shared database when there is one, else auth.sqlite in the data dir (readable by this user only). */
async function openAuthStore(options: AuthServiceOptions): Promise<AuthStore> {
  if (options.database) return SqlAuthStore.open(options.database, false);
  const path = join(options.dataDir, "auth.sqlite");
  const runner = new SqliteRunner(path);
  makeDatabasePrivate(path);
  try {
    return await SqlAuthStore.open(runner, true);
  } catch (err) {
    await runner.close();
    throw err;
  }
}
