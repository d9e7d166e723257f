// Users, browser sessions and API tokens in one SQLite file. Only hashes of passwords, session ids and token
// secrets are stored; this module knows nothing of HTTP.
import { Database } from "bun:sqlite";
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
}

export interface TokenRow {
  id: string;
  name: string;
  role: Role;
  secret_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
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
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(expires_at);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
`;

export class AuthStore {
  private readonly db: Database;

  constructor(path: string) {
    this.db = new Database(path, { create: true });
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
    this.db.exec(SCHEMA);
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

  deleteUser(name: string): boolean {
    return this.db.query("DELETE FROM users WHERE name = ?").run(name).changes === 1;
  }

  insertSession(idHash: string, userName: string, createdAt: number, expiresAt: number): void {
    this.db
      .query("INSERT INTO sessions (id_hash, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)")
      .run(idHash, userName, createdAt, expiresAt);
  }

  /** The live session with that id hash, with its user's current role (so role changes apply at once). */
  findSession(idHash: string, now: number): SessionRow | null {
    return this.db
      .query<SessionRow, [string, number]>(
        `SELECT s.user_name, u.role, s.expires_at FROM sessions s JOIN users u ON u.name = s.user_name
         WHERE s.id_hash = ? AND s.expires_at > ?`,
      )
      .get(idHash, now);
  }

  deleteSession(idHash: string): void {
    this.db.query("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
  }

  deleteExpiredSessions(now: number): number {
    return this.db.query("DELETE FROM sessions WHERE expires_at <= ?").run(now).changes;
  }

  insertToken(token: TokenRow): void {
    this.db
      .query(
        "INSERT INTO tokens (id, name, role, secret_hash, created_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(token.id, token.name, token.role, token.secret_hash, token.created_at, token.last_used_at, token.revoked_at);
  }

  getToken(id: string): TokenRow | null {
    return this.db
      .query<TokenRow, [string]>(
        "SELECT id, name, role, secret_hash, created_at, last_used_at, revoked_at FROM tokens WHERE id = ?",
      )
      .get(id);
  }

  listTokens(): TokenRow[] {
    return this.db
      .query<TokenRow, []>(
        "SELECT id, name, role, secret_hash, created_at, last_used_at, revoked_at FROM tokens ORDER BY created_at",
      )
      .all();
  }

  touchToken(id: string, now: number): void {
    this.db.query("UPDATE tokens SET last_used_at = ? WHERE id = ?").run(now, id);
  }

  /** False when no unrevoked token has that id. */
  revokeToken(id: string, now: number): boolean {
    return this.db.query("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(now, id).changes === 1;
  }
}
