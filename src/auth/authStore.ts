// Users, browser sessions and API tokens in one SQLite file. Only hashes of passwords, session ids and token
// secrets are stored; this module knows nothing of HTTP.
import { Database } from "bun:sqlite";
import { makeDatabasePrivate } from "../privateFiles.ts";
import type { Role } from "./principal.ts";

export interface UserRow {
  name: string;
  role: Role;
  password_hash: string;
  created_at: number;
}

export interface SessionRow {
  user_name: string;
  role: Role;
  expires_at: number;
  last_seen_at: number;
}

export interface TokenRow {
  id: string;
  name: string;
  role: Role;
  secret_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** The user who made the token (it ends with them), or null for tokens made with the configured admin token. */
  owner: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  id_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(expires_at);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER,
  owner TEXT
);
`;

/** Columns added after the first release: [table, column, definition]. */
const ADDED_COLUMNS: [string, string, string][] = [
  ["sessions", "last_seen_at", "INTEGER NOT NULL DEFAULT 0"],
  ["tokens", "owner", "TEXT"],
];
const TOKEN_COLUMNS = "t.id, t.name, t.role, t.secret_hash, t.created_at, t.last_used_at, t.revoked_at, t.owner";

export class AuthStore {
  private readonly db: Database;

  constructor(path: string) {
    this.db = new Database(path, { create: true });
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
    makeDatabasePrivate(path);
    this.db.exec(SCHEMA);
    for (const [table, column, definition] of ADDED_COLUMNS) {
      const columns = this.db.query<{ name: string }, []>(`PRAGMA table_info(${table})`).all();
      if (!columns.some((c) => c.name === column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    }
  }

  close(): void {
    this.db.close();
  }

  countUsers(): number {
    const row = this.db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM users").get();
    return row?.n ?? 0;
  }

  getUser(name: string): UserRow | null {
    return this.db.query<UserRow, [string]>("SELECT name, role, password_hash, created_at FROM users WHERE name = ?").get(name);
  }

  listUsers(): UserRow[] {
    return this.db.query<UserRow, []>("SELECT name, role, password_hash, created_at FROM users ORDER BY name").all();
  }

  /** False when a user of that name exists already. */
  insertUser(user: UserRow): boolean {
    const result = this.db
      .query("INSERT OR IGNORE INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)")
      .run(user.name, user.role, user.password_hash, user.created_at);
    return result.changes === 1;
  }

  updatePassword(name: string, passwordHash: string): boolean {
    return this.db.query("UPDATE users SET password_hash = ? WHERE name = ?").run(passwordHash, name).changes === 1;
  }

  updateRole(name: string, role: Role): boolean {
    return this.db.query("UPDATE users SET role = ? WHERE name = ?").run(role, name).changes === 1;
  }

  /** Removes the user; their browser sessions go with them (foreign key) and their tokens are revoked. */
  deleteUser(name: string, now: number): boolean {
    return this.db.transaction(() => {
      const deleted = this.db.query("DELETE FROM users WHERE name = ?").run(name).changes === 1;
      if (deleted) this.revokeTokensOf(name, now);
      return deleted;
    })();
  }

  insertSession(idHash: string, userName: string, createdAt: number, expiresAt: number): void {
    this.db
      .query("INSERT INTO sessions (id_hash, user_name, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)")
      .run(idHash, userName, createdAt, expiresAt, createdAt);
  }

  /**
   * The session with that id hash if it has neither expired nor been idle since `idleSince`, with its user's
   * current role (so role changes apply at once).
   */
  findSession(idHash: string, now: number, idleSince: number): SessionRow | null {
    return this.db
      .query<SessionRow, [string, number, number]>(
        `SELECT s.user_name, u.role, s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.name = s.user_name
         WHERE s.id_hash = ? AND s.expires_at > ? AND s.last_seen_at > ?`,
      )
      .get(idHash, now, idleSince);
  }

  touchSession(idHash: string, now: number): void {
    this.db.query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").run(now, idHash);
  }

  /** Ends every browser session of a user, except the one with `keepIdHash`. Returns how many ended. */
  deleteSessionsOf(userName: string, keepIdHash: string | null = null): number {
    return this.db.query("DELETE FROM sessions WHERE user_name = ? AND id_hash IS NOT ?").run(userName, keepIdHash).changes;
  }

  deleteSession(idHash: string): void {
    this.db.query("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
  }

  deleteExpiredSessions(now: number, idleSince: number): number {
    return this.db.query("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?").run(now, idleSince).changes;
  }

  insertToken(token: TokenRow): void {
    this.db
      .query(
        "INSERT INTO tokens (id, name, role, secret_hash, created_at, last_used_at, revoked_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(token.id, token.name, token.role, token.secret_hash, token.created_at, token.last_used_at, token.revoked_at, token.owner);
  }

  /** A token; one whose owner no longer exists reads as revoked (it ends with its user even if revoking was missed). */
  getToken(id: string): TokenRow | null {
    return this.db
      .query<TokenRow, [string]>(
        `SELECT t.id, t.name, t.role, t.secret_hash, t.created_at, t.last_used_at, t.owner,
                CASE WHEN t.owner IS NOT NULL AND u.name IS NULL THEN COALESCE(t.revoked_at, 0) ELSE t.revoked_at END AS revoked_at
         FROM tokens t LEFT JOIN users u ON u.name = t.owner WHERE t.id = ?`,
      )
      .get(id);
  }

  listTokens(): TokenRow[] {
    return this.db.query<TokenRow, []>(`SELECT ${TOKEN_COLUMNS} FROM tokens t ORDER BY t.created_at`).all();
  }

  /** Revokes every active token a user made. Returns their ids. */
  revokeTokensOf(owner: string, now: number): string[] {
    const ids = this.db
      .query<{ id: string }, [string]>("SELECT id FROM tokens WHERE owner = ? AND revoked_at IS NULL")
      .all(owner)
      .map((r) => r.id);
    this.db.query("UPDATE tokens SET revoked_at = ? WHERE owner = ? AND revoked_at IS NULL").run(now, owner);
    return ids;
  }

  touchToken(id: string, now: number): void {
    this.db.query("UPDATE tokens SET last_used_at = ? WHERE id = ?").run(now, id);
  }

  /** False when no unrevoked token has that id. */
  revokeToken(id: string, now: number): boolean {
    return this.db.query("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(now, id).changes === 1;
  }
}
