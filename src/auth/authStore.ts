// Users, browser sessions and API tokens. Only hashes of passwords, session ids and token secrets are stored;
// this module knows nothing of HTTP. One implementation serves both databases through SqlRunner: the node's
// own auth.sqlite by default, or the PostgreSQL database all nodes share (DESKREEL_DATABASE_URL), so a user
// made on one node logs in on every node and a token made on one works on all.
import { ensureSchema, int, nullableInt, type SqlRunner } from "../db/sqlRunner.ts";
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

/** What the account service needs from a database. */
export interface AuthStore {
  countUsers(): Promise<number>;
  getUser(name: string): Promise<UserRow | null>;
  listUsers(): Promise<UserRow[]>;
  /** False when a user of that name exists already. */
  insertUser(user: UserRow): Promise<boolean>;
  updatePassword(name: string, passwordHash: string): Promise<boolean>;
  updateRole(name: string, role: Role): Promise<boolean>;
  /** Removes the user; their browser sessions go with them and their tokens are revoked. */
  deleteUser(name: string, now: number): Promise<boolean>;
  insertSession(idHash: string, userName: string, createdAt: number, expiresAt: number): Promise<void>;
  /** The session if it has neither expired nor been idle since `idleSince`, with its user's current role. */
  findSession(idHash: string, now: number, idleSince: number): Promise<SessionRow | null>;
  touchSession(idHash: string, now: number): Promise<void>;
  /** Ends every browser session of a user, except the one with `keepIdHash`. Returns how many ended. */
  deleteSessionsOf(userName: string, keepIdHash?: string | null): Promise<number>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(now: number, idleSince: number): Promise<number>;
  insertToken(token: TokenRow): Promise<void>;
  /** A token; one whose owner no longer exists reads as revoked. */
  getToken(id: string): Promise<TokenRow | null>;
  listTokens(): Promise<TokenRow[]>;
  /** Revokes every active token a user made. Returns their ids. */
  revokeTokensOf(owner: string, now: number): Promise<string[]>;
  touchToken(id: string, now: number): Promise<void>;
  /** False when no unrevoked token has that id. */
  revokeToken(id: string, now: number): Promise<boolean>;
  close(): Promise<void>;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL DEFAULT 0
  )`,
  "CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(expires_at)",
  "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(user_name)",
  `CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT,
    owner TEXT
  )`,
];

/** Columns added to auth.sqlite after its first release: [table, column, definition]. */
const ADDED_COLUMNS: [string, string, string][] = [
  ["sessions", "last_seen_at", "INTEGER NOT NULL DEFAULT 0"],
  ["tokens", "owner", "TEXT"],
];
const TOKEN_COLUMNS = "t.id, t.name, t.role, t.secret_hash, t.created_at, t.last_used_at, t.revoked_at, t.owner";
type Row = Record<string, unknown>;

function userOf(r: Row): UserRow {
  return { name: String(r.name), role: r.role as Role, password_hash: String(r.password_hash), created_at: int(r.created_at) };
}

function tokenOf(r: Row): TokenRow {
  return {
    id: String(r.id), name: String(r.name), role: r.role as Role, secret_hash: String(r.secret_hash), created_at: int(r.created_at),
    last_used_at: nullableInt(r.last_used_at), revoked_at: nullableInt(r.revoked_at), owner: r.owner === null ? null : String(r.owner),
  };
}

export class SqlAuthStore implements AuthStore {
  private constructor(private readonly db: SqlRunner, private readonly ownsDb: boolean) {}

  /** Creates or upgrades the tables. `ownsDb`: close the runner with the store (not a shared one). */
  static async open(db: SqlRunner, ownsDb: boolean): Promise<SqlAuthStore> {
    if (db.dialect === "sqlite") {
      // Files from before a column existed: CREATE TABLE IF NOT EXISTS leaves them as they are.
      for (const [table, column, definition] of ADDED_COLUMNS) {
        const columns = await db.query<{ name: string }>(`PRAGMA table_info(${table})`);
        if (columns.length > 0 && !columns.some((c) => c.name === column)) await db.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
      }
    }
    await ensureSchema(db, SCHEMA);
    return new SqlAuthStore(db, ownsDb);
  }

  async close(): Promise<void> {
    if (this.ownsDb) await this.db.close();
  }

  async countUsers(): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>("SELECT COUNT(*) AS n FROM users");
    return int(rows[0]?.n ?? 0);
  }

  async getUser(name: string): Promise<UserRow | null> {
    const rows = await this.db.query("SELECT name, role, password_hash, created_at FROM users WHERE name = $1", [name]);
    return rows[0] ? userOf(rows[0]) : null;
  }

  async listUsers(): Promise<UserRow[]> {
    return (await this.db.query("SELECT name, role, password_hash, created_at FROM users ORDER BY name")).map(userOf);
  }

  async insertUser(user: UserRow): Promise<boolean> {
    const rows = await this.db.query(
      "INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING name",
      [user.name, user.role, user.password_hash, user.created_at],
    );
    return rows.length === 1;
  }

  async updatePassword(name: string, passwordHash: string): Promise<boolean> {
    return (await this.db.query("UPDATE users SET password_hash = $1 WHERE name = $2 RETURNING name", [passwordHash, name])).length === 1;
  }

  async updateRole(name: string, role: Role): Promise<boolean> {
    return (await this.db.query("UPDATE users SET role = $1 WHERE name = $2 RETURNING name", [role, name])).length === 1;
  }

  async deleteUser(name: string, now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const deleted = (await tx.query("DELETE FROM users WHERE name = $1 RETURNING name", [name])).length === 1;
      if (deleted) await tx.query("UPDATE tokens SET revoked_at = $1 WHERE owner = $2 AND revoked_at IS NULL", [now, name]);
      return deleted;
    });
  }

  async insertSession(idHash: string, userName: string, createdAt: number, expiresAt: number): Promise<void> {
    await this.db.query(
      "INSERT INTO sessions (id_hash, user_name, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)",
      [idHash, userName, createdAt, expiresAt, createdAt],
    );
  }

  async findSession(idHash: string, now: number, idleSince: number): Promise<SessionRow | null> {
    const rows = await this.db.query(
      `SELECT s.user_name, u.role, s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.name = s.user_name
       WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3`,
      [idHash, now, idleSince],
    );
    const r = rows[0];
    return r ? { user_name: String(r.user_name), role: r.role as Role, expires_at: int(r.expires_at), last_seen_at: int(r.last_seen_at) } : null;
  }

  async touchSession(idHash: string, now: number): Promise<void> {
    await this.db.query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2", [now, idHash]);
  }

  async deleteSessionsOf(userName: string, keepIdHash: string | null = null): Promise<number> {
    const rows = keepIdHash === null
      ? await this.db.query("DELETE FROM sessions WHERE user_name = $1 RETURNING id_hash", [userName])
      : await this.db.query("DELETE FROM sessions WHERE user_name = $1 AND id_hash <> $2 RETURNING id_hash", [userName, keepIdHash]);
    return rows.length;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.query("DELETE FROM sessions WHERE id_hash = $1", [idHash]);
  }

  async deleteExpiredSessions(now: number, idleSince: number): Promise<number> {
    return (await this.db.query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2 RETURNING id_hash", [now, idleSince])).length;
  }

  async insertToken(token: TokenRow): Promise<void> {
    await this.db.query(
      "INSERT INTO tokens (id, name, role, secret_hash, created_at, last_used_at, revoked_at, owner) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      [token.id, token.name, token.role, token.secret_hash, token.created_at, token.last_used_at, token.revoked_at, token.owner],
    );
  }

  async getToken(id: string): Promise<TokenRow | null> {
    const rows = await this.db.query(
      `SELECT t.id, t.name, t.role, t.secret_hash, t.created_at, t.last_used_at, t.owner,
              CASE WHEN t.owner IS NOT NULL AND u.name IS NULL THEN COALESCE(t.revoked_at, 0) ELSE t.revoked_at END AS revoked_at
       FROM tokens t LEFT JOIN users u ON u.name = t.owner WHERE t.id = $1`,
      [id],
    );
    return rows[0] ? tokenOf(rows[0]) : null;
  }

  async listTokens(): Promise<TokenRow[]> {
    return (await this.db.query(`SELECT ${TOKEN_COLUMNS} FROM tokens t ORDER BY t.created_at, t.id`)).map(tokenOf);
  }

  async revokeTokensOf(owner: string, now: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      "UPDATE tokens SET revoked_at = $1 WHERE owner = $2 AND revoked_at IS NULL RETURNING id",
      [now, owner],
    );
    return rows.map((r) => r.id).sort();
  }

  async touchToken(id: string, now: number): Promise<void> {
    await this.db.query("UPDATE tokens SET last_used_at = $1 WHERE id = $2", [now, id]);
  }

  async revokeToken(id: string, now: number): Promise<boolean> {
    return (await this.db.query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id", [now, id])).length === 1;
  }
}
