import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAuthService, type AuthService, type LoginOutcome } from "../../src/auth/authService.ts";
import { SESSION_COOKIE } from "../../src/auth/cookies.ts";
import { AuthConflictError, AuthInputError } from "../../src/auth/errors.ts";
import { canSeeRecording, type Principal } from "../../src/auth/principal.ts";
import type { AuthServiceOptions } from "../../src/auth/authService.ts";
import { PostgresRunner, type SqlRunner } from "../../src/db/sqlRunner.ts";
import { PgDatabases, POSTGRES_SKIP_REASON, postgresAvailable } from "../support/databases.ts";
import { waitFor } from "../support/server.ts";

// Every user and login costs an argon2 hash or check: slow on a loaded machine.
setDefaultTimeout(30_000);

const TEST_TOKEN = "t0ken-for-tests-only-0123456789abcdef";
const ADMIN: Principal = { name: "admin", role: "admin", via: "token" };
const dirs: string[] = [];

/** The outcome of a login that must have succeeded. */
function loggedIn(outcome: LoginOutcome): Extract<LoginOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`login failed: ${outcome.reason}`);
  return outcome;
}
const services: AuthService[] = [];

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "deskreel-auth-"));
  dirs.push(dir);
  return dir;
}

/** Where the accounts live: auth.sqlite in the data dir, or a PostgreSQL database (one per data dir here). */
interface Backend {
  options(dataDir: string): Promise<Partial<AuthServiceOptions>>;
  /** Every byte the store wrote, to look for secrets in. */
  storedText(dataDir: string): Promise<string>;
}
let backend: Backend;

async function create(options: AuthServiceOptions): Promise<AuthService> {
  const service = await createAuthService({ ...options, ...(await backend.options(options.dataDir)) });
  services.push(service);
  return service;
}

function start(dataDir: string, adminToken: string | null = null, lines: string[] = []): Promise<AuthService> {
  return create({ dataDir, adminToken, log: (l) => lines.push(l) });
}

function withCookie(setCookie: string): Request {
  const pair = setCookie.split(";")[0];
  return new Request("http://x/v1/auth/me", { headers: { cookie: `other=1; ${pair}` } });
}

function withBearer(token: string): Request {
  return new Request("http://x/v1/recordings", { headers: { authorization: `Bearer ${token}` } });
}

afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function authServiceSuite(label: string, use: () => Backend) {
  beforeEach(() => {
    backend = use();
  });

  describe(`${label}: first start`, () => {
    test("creates admin with a random password and an admin token stored under the data dir, printed once", async () => {
      const dir = await freshDir();
      const lines: string[] = [];
      const auth = await start(dir, null, lines);
      const password = /password (\S+)/.exec(lines.join("\n"))?.[1];
      expect(password).toBeDefined();
      expect(password!.length).toBeGreaterThanOrEqual(16);
      expect(lines.join("\n")).toContain(auth.adminToken);
      const stored = (await readFile(join(dir, "admin-token"), "utf8")).trim();
      expect(stored).toBe(auth.adminToken);
      expect((await stat(join(dir, "admin-token"))).mode & 0o077).toBe(0);
      expect((await auth.login("admin", password!)).ok).toBe(true);
      expect(await auth.listUsers()).toEqual([expect.objectContaining({ name: "admin", role: "admin" })]);

      // A restart keeps the same token and prints no secrets again.
      await auth.close();
      services.length = 0;
      const again: string[] = [];
      const restarted = await start(dir, null, again);
      expect(restarted.adminToken).toBe(stored);
      expect(again.join("\n")).not.toContain(stored);
      expect(again.join("\n")).not.toContain(password!);
      expect((await restarted.login("admin", password!)).ok).toBe(true);
    });

    test("a configured admin token is used and nothing is written for it", async () => {
      const dir = await freshDir();
      const lines: string[] = [];
      const auth = await start(dir, "configured-admin-secret-of-32-characters", lines);
      expect(auth.adminToken).toBe("configured-admin-secret-of-32-characters");
      expect(lines.join("\n")).not.toContain("configured-admin-secret-of-32-characters");
      await expect(stat(join(dir, "admin-token"))).rejects.toThrow();
      expect(await auth.authenticate(withBearer("configured-admin-secret-of-32-characters"))).toEqual({ name: "admin", role: "admin", via: "token" });
      expect(await auth.authenticate(withBearer("configured-admin-secreT"))).toBeNull();
      expect(await auth.authenticate(withBearer("configured-admin-secret-of-32-characters-longer"))).toBeNull();
    });
  });

  describe(`${label}: login sessions`, () => {
    test("a login yields an HttpOnly SameSite=Lax cookie whose session authenticates until logout", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      await auth.createUser("alice", "correct horse", "user");
      expect((await auth.login("alice", "wrong horse")).ok).toBe(false);
      expect((await auth.login("nobody", "correct horse")).ok).toBe(false);
      const result = loggedIn(await auth.login("alice", "correct horse"));
      const cookie = result.cookie;
      expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
      for (const attr of ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=86400"]) expect(cookie).toContain(attr);
      // The principal carries the stored hash of its session id (never the id), so its sockets can end with it.
      const loginSession = result.principal.loginSession!;
      expect(loginSession).toMatch(/^[0-9a-f]{64}$/);
      expect(cookie).not.toContain(loginSession);
      expect(result.principal).toEqual({ name: "alice", role: "user", via: "cookie", loginSession });
      expect(await auth.authenticate(withCookie(cookie))).toEqual({ name: "alice", role: "user", via: "cookie", loginSession });

      const cleared = await auth.logout(withCookie(cookie));
      expect(cleared).toContain("Max-Age=0");
      expect(await auth.authenticate(withCookie(cookie))).toBeNull();
    });

    test("a session id that was never issued, or a tampered one, is refused", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      await auth.createUser("bob", "bobs password", "auditor");
      const { cookie } = loggedIn(await auth.login("bob", "bobs password"));
      const value = cookie.split(";")[0].split("=")[1];
      const flipped = value.slice(0, -1) + (value.endsWith("A") ? "B" : "A");
      expect(await auth.authenticate(withCookie(`${SESSION_COOKIE}=${flipped}`))).toBeNull();
      expect(await auth.authenticate(withCookie(`${SESSION_COOKIE}=`))).toBeNull();
    });

    test("sessions expire", async () => {
      let t = Date.now();
      const auth = await create({ dataDir: await freshDir(), adminToken: "x".repeat(32), log: () => {}, now: () => t, sessionMaxSeconds: 60 });
      await auth.createUser("carol", "carols password", "user");
      const { cookie } = loggedIn(await auth.login("carol", "carols password"));
      expect(await auth.authenticate(withCookie(cookie))).not.toBeNull();
      t += 59_000;
      expect(await auth.authenticate(withCookie(cookie))).not.toBeNull();
      t += 2_000;
      expect(await auth.authenticate(withCookie(cookie))).toBeNull();
    });

    test("a session ends after the idle timeout, requests keep it alive, and it ends at the absolute limit anyway", async () => {
      let t = Date.now();
      const auth = await create({
        dataDir: await freshDir(), adminToken: TEST_TOKEN, log: () => {}, now: () => t,
        sessionIdleSeconds: 600, sessionMaxSeconds: 3600,
      });
      await auth.createUser("ivy", "ivys password", "user");
      const { cookie } = loggedIn(await auth.login("ivy", "ivys password"));
      expect(cookie).toContain("Max-Age=3600");
      // Used every 9 minutes: never idle for 10, alive until the hour is up.
      for (let minute = 9; minute < 60; minute += 9) {
        t += 9 * 60_000;
        expect(await auth.authenticate(withCookie(cookie))).not.toBeNull();
      }
      t += 6 * 60_000 + 1000;
      expect(await auth.authenticate(withCookie(cookie))).toBeNull();

      const second = loggedIn(await auth.login("ivy", "ivys password")).cookie;
      t += 10 * 60_000 + 1000;
      expect(await auth.authenticate(withCookie(second))).toBeNull();
    });

    test("deleting a user ends their sessions", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      await auth.createUser("dave", "daves password", "user");
      const { cookie } = loggedIn(await auth.login("dave", "daves password"));
      expect(await auth.deleteUser("dave", ADMIN)).toBe(true);
      expect(await auth.authenticate(withCookie(cookie))).toBeNull();
    });
  });

  describe(`${label}: accounts`, () => {
    test("bad names, short passwords, unknown roles and duplicates are refused", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      await expect(auth.createUser("", "long enough", "user")).rejects.toBeInstanceOf(AuthInputError);
      await expect(auth.createUser("a b", "long enough", "user")).rejects.toBeInstanceOf(AuthInputError);
      await expect(auth.createUser("erin", "short", "user")).rejects.toBeInstanceOf(AuthInputError);
      await expect(auth.createUser("erin", "long enough", "agent")).rejects.toBeInstanceOf(AuthInputError);
      await auth.createUser("erin", "long enough", "user");
      await expect(auth.createUser("erin", "long enough", "user")).rejects.toBeInstanceOf(AuthConflictError);
      expect((await auth.listUsers()).map((u) => u.name).sort()).toEqual(["admin", "erin"]);
      // The listing never carries password hashes.
      expect(JSON.stringify(await auth.listUsers())).not.toContain("argon2");
    });
  });

  describe(`${label}: tokens`, () => {
    test("a created token authenticates with its role, is stored only hashed, and stops working when revoked", async () => {
      const dir = await freshDir();
      const auth = await start(dir, TEST_TOKEN);
      const token = await auth.createToken("ingest-agent-1", "agent");
      expect(await auth.authenticate(withBearer(token))).toEqual({ name: "ingest-agent-1", role: "agent", via: "token", tokenId: auth.tokenId(token)! });
      const secret = token.split("_").slice(2).join("_");
      const stored = await backend.storedText(dir);
      expect(stored).toContain(auth.tokenId(token)!);
      expect(stored.includes(secret)).toBe(false);

      const id = auth.tokenId(token)!;
      expect(await auth.listTokens()).toEqual([expect.objectContaining({ id, name: "ingest-agent-1", role: "agent", revoked: false })]);
      expect(await auth.revokeToken(id)).toBe(true);
      expect(await auth.revokeToken(id)).toBe(false);
      expect(await auth.authenticate(withBearer(token))).toBeNull();
    });

    test("a token with a right id and a wrong secret is refused", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      const token = await auth.createToken("script", "auditor");
      const forged = token.slice(0, -3) + (token.endsWith("aaa") ? "bbb" : "aaa");
      expect(await auth.authenticate(withBearer(forged))).toBeNull();
      expect(await auth.authenticate(withBearer(token))).toEqual({ name: "script", role: "auditor", via: "token", tokenId: auth.tokenId(token)! });
    });

    test("a bearer header wins over a cookie: a bad token is not rescued by a good cookie", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      await auth.createUser("frank", "franks password", "admin");
      const { cookie } = loggedIn(await auth.login("frank", "franks password"));
      const request = new Request("http://x/", {
        headers: { authorization: "Bearer nope", cookie: cookie.split(";")[0] },
      });
      expect(await auth.authenticate(request)).toBeNull();
    });
  });

  describe(`${label}: sockets are told when their credential ends`, () => {
    /** Watches `principal`'s credential; `ended` lists the reasons it was told (at most one). */
    function watch(auth: AuthService, principal: Principal) {
      const ended: string[] = [];
      const stop = auth.whenCredentialEnds(principal, (reason) => ended.push(reason));
      return { ended, stop };
    }
    const asPrincipal = async (auth: AuthService, token: string) => (await auth.authenticate(withBearer(token)))!;

    test("revoking a token tells its watchers once, and no other token's", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      const a = await auth.createToken("agent-a", "agent");
      const b = await auth.createToken("agent-b", "agent");
      const onA = watch(auth, await asPrincipal(auth, a));
      const onAToo = watch(auth, await asPrincipal(auth, a));
      const onB = watch(auth, await asPrincipal(auth, b));
      expect(await auth.revokeToken(auth.tokenId(a)!)).toBe(true);
      expect(onA.ended).toEqual(["token revoked"]);
      expect(onAToo.ended).toEqual(["token revoked"]);
      expect(onB.ended).toEqual([]);
      await auth.recheck();
      expect(onA.ended).toEqual(["token revoked"]);
      expect(onB.ended).toEqual([]);
      onB.stop();
      expect(auth.stats().credentials.watched).toBe(0);
    });

    test("deleting or demoting a user ends their tokens and login sessions, with the reason", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      await auth.createUser("gone", "gone's password", "admin");
      await auth.createUser("demoted", "demoted password", "admin");
      const goneCookie = loggedIn(await auth.login("gone", "gone's password")).principal;
      const goneToken = await auth.createToken("gone-agent", "agent", goneCookie);
      const demotedToken = await auth.createToken("demoted-agent", "agent", loggedIn(await auth.login("demoted", "demoted password")).principal);
      const onGoneCookie = watch(auth, goneCookie);
      const onGoneToken = watch(auth, await asPrincipal(auth, goneToken));
      const onDemotedToken = watch(auth, await asPrincipal(auth, demotedToken));
      expect(await auth.deleteUser("gone", ADMIN)).toBe(true);
      expect(onGoneCookie.ended).toEqual(["logged out: the account changed"]);
      expect(onGoneToken.ended).toEqual(["token revoked: its owner was deleted"]);
      expect(onDemotedToken.ended).toEqual([]);
      await auth.setRole("demoted", "user", ADMIN);
      expect(onDemotedToken.ended).toEqual(["token revoked: its owner is no longer an admin"]);
    });

    test("a logout ends that session only; the configured admin token never ends", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      await auth.createUser("carol", "carol's password", "auditor");
      const first = loggedIn(await auth.login("carol", "carol's password"));
      const second = loggedIn(await auth.login("carol", "carol's password"));
      const onFirst = watch(auth, first.principal);
      const onSecond = watch(auth, second.principal);
      const onAdmin = watch(auth, (await auth.authenticate(withBearer(TEST_TOKEN)))!);
      await auth.logout(withCookie(first.cookie));
      expect(onFirst.ended).toEqual(["logged out"]);
      expect(onSecond.ended).toEqual([]);
      await auth.recheck();
      expect(onSecond.ended).toEqual([]);
      expect(onAdmin.ended).toEqual([]);
      expect(auth.stats().credentials.watched).toBe(1);
    });

    test("a credential that ended before it was watched is reported at once", async () => {
      const auth = await start(await freshDir(), TEST_TOKEN);
      const token = await auth.createToken("late", "agent");
      const principal = await asPrincipal(auth, token);
      await auth.revokeToken(token);
      const late = watch(auth, principal);
      await waitFor("the first check", () => (late.ended.length > 0 ? true : undefined));
      expect(late.ended).toEqual(["token revoked"]);
    });

    test("another node sharing the store: its revocations and password changes reach this node's sockets", async () => {
      const dir = await freshDir();
      const here = await create({ dataDir: dir, adminToken: TEST_TOKEN, log: () => undefined, credentialRecheckMs: 100 });
      const there = await start(dir, TEST_TOKEN);
      await there.createUser("dave", "dave's password", "admin");
      const token = await there.createToken("shared-agent", "agent");
      const kept = await there.createToken("kept-agent", "agent");
      const onToken = watch(here, await asPrincipal(here, token));
      const onKept = watch(here, await asPrincipal(here, kept));
      const onCookie = watch(here, (await here.authenticate(withCookie(loggedIn(await there.login("dave", "dave's password")).cookie)))!);
      await there.revokeToken(token);
      await there.setPassword("dave", "dave's new password", ADMIN);
      await waitFor("the re-check on this node", () => (onToken.ended.length > 0 && onCookie.ended.length > 0 ? true : undefined));
      expect(onToken.ended).toEqual(["token revoked"]);
      expect(onCookie.ended).toEqual(["logged out: the login session ended"]);
      expect(onKept.ended).toEqual([]);
    });
  });
}

const sqlite: Backend = {
  options: async () => ({}),
  // The file and its write-ahead log (recent writes are there until a checkpoint).
  storedText: async (dir) =>
    (await Promise.all(["auth.sqlite", "auth.sqlite-wal"].map((f) => readFile(join(dir, f)).catch(() => Buffer.alloc(0))))).map((b) => b.toString("latin1")).join(""),
};
authServiceSuite("SQLite", () => sqlite);

if (!postgresAvailable) console.warn(`PostgreSQL account tests skipped: ${POSTGRES_SKIP_REASON}`);
const pg = new PgDatabases();
const pgByDir = new Map<string, SqlRunner>();
const postgres: Backend = {
  async options(dir) {
    let db = pgByDir.get(dir);
    if (!db) {
      db = PostgresRunner.connect(await pg.freshUrl("auth"), 2);
      pgByDir.set(dir, db);
    }
    return { database: db };
  },
  async storedText(dir) {
    const db = pgByDir.get(dir)!;
    const rows = await db.query("SELECT * FROM users u FULL JOIN tokens t ON false FULL JOIN sessions s ON false");
    return JSON.stringify(rows);
  },
};
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  beforeAll(() => pg.start(), 30_000);
  afterAll(async () => {
    for (const db of pgByDir.values()) await db.close();
    await pg.stop();
  });
  authServiceSuite("PostgreSQL", () => postgres);
});

describe("permissions", () => {
  test("a user sees only recordings they took part in; auditors and admins see all; agents none", () => {
    expect(canSeeRecording({ name: "alice", role: "user", via: "cookie" }, ["alice", "bob"])).toBe(true);
    expect(canSeeRecording({ name: "alice", role: "user", via: "cookie" }, ["bob"])).toBe(false);
    expect(canSeeRecording({ name: "x", role: "auditor", via: "cookie" }, ["bob"])).toBe(true);
    expect(canSeeRecording({ name: "x", role: "admin", via: "token" }, [])).toBe(true);
    expect(canSeeRecording({ name: "bob", role: "agent", via: "token" }, ["bob"])).toBe(false);
  });
});
