// Logging in, browser sessions and bearer tokens: turns a request into a Principal and manages accounts.
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AuthStore, type TokenRow } from "./authStore.ts";
import { clearSessionCookie, readBearer, readCookie, SESSION_COOKIE, sessionSetCookie } from "./cookies.ts";
import { AuthConflictError, AuthInputError } from "./errors.ts";
import type { Authenticator, Principal, Role } from "./principal.ts";
import { digestsEqual, randomHex, randomPassword, randomSecret, secretsEqual, sha256Hex } from "./secrets.ts";
import { checkPassword, checkTokenName, checkTokenRole, checkUserName, checkUserRole } from "./validation.ts";

export interface AuthServiceOptions {
  dataDir: string;
  /** DESKREEL_ADMIN_TOKEN, or null to create one under the data dir on first start. */
  adminToken: string | null;
  log?: (line: string) => void;
  /** How long a browser login lasts (default 12 hours). */
  sessionTtlSeconds?: number;
  /** Add `Secure` to the session cookie (when served over https). */
  secureCookies?: boolean;
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
}

export interface LoginResult {
  /** The full Set-Cookie header value. */
  cookie: string;
  principal: Principal;
}

const DEFAULT_SESSION_TTL_SECONDS = 12 * 60 * 60;
const ADMIN_TOKEN_FILE = "admin-token";
const TOKEN_PREFIX = "drt_";
const TOKEN_ID = /^drt_([0-9a-f]{16})_([A-Za-z0-9_-]{20,})$/;
/** Write last-use times at most this often, so a busy agent does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export class AuthService implements Authenticator {
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly store: AuthStore,
    /** The admin bearer token in force (configured or created under the data dir). */
    readonly adminToken: string,
    private readonly sessionTtlSeconds: number,
    private readonly secureCookies: boolean,
  ) {}

  async authenticate(request: Request): Promise<Principal | null> {
    const bearer = readBearer(request);
    if (bearer !== null) return this.principalForToken(bearer);
    const sessionId = readCookie(request, SESSION_COOKIE);
    if (sessionId) return this.principalForSession(sessionId);
    return null;
  }

  principalForToken(token: string): Principal | null {
    if (secretsEqual(token, this.adminToken)) return { name: "admin", role: "admin", via: "token" };
    const m = TOKEN_ID.exec(token);
    if (!m) return null;
    const row = this.store.getToken(m[1]);
    if (!row || row.revoked_at !== null) return null;
    if (!digestsEqual(sha256Hex(m[2]), row.secret_hash)) return null;
    const now = Date.now();
    if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) this.store.touchToken(row.id, now);
    return { name: row.name, role: row.role, via: "token" };
  }

  private principalForSession(sessionId: string): Principal | null {
    const row = this.store.findSession(sha256Hex(sessionId), Date.now());
    return row ? { name: row.user_name, role: row.role, via: "cookie" } : null;
  }

  /** Checks the password; on success opens a browser session. Unknown users cost the same time as wrong passwords. */
  async login(username: string, password: string): Promise<LoginResult | null> {
    if (typeof username !== "string" || typeof password !== "string" || password.length > 1024) return null;
    const user = this.store.getUser(username);
    if (!user) {
      await Bun.password.verify(password, await this.dummyPasswordHash());
      return null;
    }
    if (!(await Bun.password.verify(password, user.password_hash))) return null;
    const now = Date.now();
    this.store.deleteExpiredSessions(now);
    const sessionId = randomSecret(32);
    this.store.insertSession(sha256Hex(sessionId), user.name, now, now + this.sessionTtlSeconds * 1000);
    return {
      cookie: sessionSetCookie(sessionId, this.sessionTtlSeconds, this.secureCookies),
      principal: { name: user.name, role: user.role, via: "cookie" },
    };
  }

  /** Ends the request's browser session (if any) and returns the Set-Cookie value that clears the cookie. */
  logout(request: Request): string {
    const sessionId = readCookie(request, SESSION_COOKIE);
    if (sessionId) this.store.deleteSession(sha256Hex(sessionId));
    return clearSessionCookie(this.secureCookies);
  }

  async createUser(name: string, password: string, role: Role): Promise<UserInfo> {
    checkUserName(name);
    checkPassword(password);
    checkUserRole(role);
    const created = Date.now();
    const inserted = this.store.insertUser({ name, role, password_hash: await Bun.password.hash(password), created_at: created });
    if (!inserted) throw new AuthConflictError(`user "${name}" exists already`);
    return { name, role, created: iso(created) };
  }

  async setPassword(name: string, password: string): Promise<void> {
    checkPassword(password);
    if (!this.store.updatePassword(name, await Bun.password.hash(password))) {
      throw new AuthInputError(`no user "${name}"`);
    }
  }

  /** Removes the user and ends their sessions. */
  deleteUser(name: string): boolean {
    return this.store.deleteUser(name);
  }

  listUsers(): UserInfo[] {
    return this.store.listUsers().map((u) => ({ name: u.name, role: u.role, created: iso(u.created_at) }));
  }

  /** Creates a bearer token; only its hash is kept, so the returned secret is shown once. */
  async createToken(name: string, role: Role): Promise<string> {
    const tokenName = checkTokenName(name);
    checkTokenRole(role);
    const id = randomHex(8);
    const secret = randomSecret(32);
    this.store.insertToken({
      id,
      name: tokenName,
      role,
      secret_hash: sha256Hex(secret),
      created_at: Date.now(),
      last_used_at: null,
      revoked_at: null,
    });
    return `${TOKEN_PREFIX}${id}_${secret}`;
  }

  /** The id of a token this service issued (the part before its secret), or null. */
  tokenId(token: string): string | null {
    return TOKEN_ID.exec(token)?.[1] ?? null;
  }

  /** Revokes by token id or by the full token. False when there was no such active token. */
  revokeToken(idOrToken: string): boolean {
    const id = this.tokenId(idOrToken) ?? idOrToken;
    return this.store.revokeToken(id, Date.now());
  }

  listTokens(): TokenInfo[] {
    return this.store.listTokens().map((t: TokenRow) => ({
      id: t.id,
      name: t.name,
      role: t.role,
      created: iso(t.created_at),
      last_used: t.last_used_at === null ? null : iso(t.last_used_at),
      revoked: t.revoked_at !== null,
    }));
  }

  close(): void {
    this.store.close();
  }

  private dummyPasswordHash(): Promise<string> {
    this.dummyHash ??= Bun.password.hash(randomSecret(16));
    return this.dummyHash;
  }
}

async function loadOrCreateAdminToken(dataDir: string): Promise<{ token: string; created: boolean }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const token = (await readFile(path, "utf8")).trim();
    if (token.length >= 16) return { token, created: false };
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
  await mkdir(options.dataDir, { recursive: true });
  const store = new AuthStore(join(options.dataDir, "auth.sqlite"));
  try {
    const admin = options.adminToken
      ? { token: options.adminToken, created: false }
      : await loadOrCreateAdminToken(options.dataDir);
    const service = new AuthService(
      store,
      admin.token,
      options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS,
      options.secureCookies ?? false,
    );
    if (store.countUsers() === 0) {
      const password = randomPassword();
      await service.createUser("admin", password, "admin");
      log(`first start: created user "admin" with password ${password} (log in on the web page; change it soon)`);
    }
    if (admin.created) {
      log(`admin API token (stored in ${join(options.dataDir, ADMIN_TOKEN_FILE)}): ${admin.token}`);
      log(`use it as: Authorization: Bearer ${admin.token}`);
    }
    store.deleteExpiredSessions(Date.now());
    return service;
  } catch (err) {
    store.close();
    throw err;
  }
}
