// One small query interface over the two databases the server runs on (bun:sqlite in the data dir, PostgreSQL
// through Bun.sql), so a store is written once: statements use $1, $2… placeholders in both dialects and
// return plain rows. Stores keep to SQL both understand (ON CONFLICT, RETURNING, IS NOT DISTINCT FROM…).
import { Database, type SQLQueryBindings } from "bun:sqlite";
import { SQL } from "bun";

export type SqlValue = string | number | null;
export type SqlDialect = "sqlite" | "postgres";
type Row = Record<string, unknown>;

export interface SqlRunner {
  readonly dialect: SqlDialect;
  query<T = Row>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** Runs `work` in one transaction; its statements go through `tx`. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A number from an integer column (PostgreSQL BIGINT arrives as a string). */
export function int(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

export function nullableInt(value: unknown): number | null {
  return value === null || value === undefined ? null : int(value);
}

/**
 * One connection per SQLite file in the process, shared by every runner on it: transactions here await between
 * statements, and a second connection's BEGIN would wait for the first synchronously, on the very thread that
 * has to finish it. Sharing one connection, they take turns instead. (A transaction's work awaits only its own
 * statements, so the catalog's synchronous transactions on their own connection never land in the middle.)
 */
class SqliteConnection {
  readonly db: Database;
  users = 0;
  /** Set while a transaction runs: everything else waits for it. */
  busy: Promise<void> | null = null;

  constructor(readonly path: string) {
    this.db = new Database(path, { create: true, strict: true });
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
  }

  run<T>(sql: string, params: SqlValue[]): T[] {
    // $n → ?n: SQLite's numbered parameters, bound from the array by position.
    return this.db.query<T, SQLQueryBindings[]>(sql.replace(/\$(\d+)/g, "?$1")).all(...params);
  }
}

const connections = new Map<string, SqliteConnection>();

export class SqliteRunner implements SqlRunner {
  readonly dialect = "sqlite";
  readonly #conn: SqliteConnection;
  #closed = false;

  /** `path` is a file (created if missing); runners of one path in this process share its connection. */
  constructor(path: string) {
    let conn = path === ":memory:" ? undefined : connections.get(path);
    if (!conn) {
      conn = new SqliteConnection(path);
      if (path !== ":memory:") connections.set(path, conn);
    }
    conn.users++;
    this.#conn = conn;
  }

  async query<T = Row>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    while (this.#conn.busy) await this.#conn.busy;
    return this.#conn.run<T>(sql, params);
  }

  async transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const conn = this.#conn;
    while (conn.busy) await conn.busy;
    let done!: () => void;
    conn.busy = new Promise((resolve) => (done = resolve));
    const tx: SqlRunner = {
      dialect: "sqlite",
      query: async <R>(sql: string, params: SqlValue[] = []) => conn.run<R>(sql, params),
      transaction: (inner) => inner(tx),
      close: async () => undefined,
    };
    try {
      conn.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(tx);
        conn.db.exec("COMMIT");
        return result;
      } catch (err) {
        conn.db.exec("ROLLBACK");
        throw err;
      }
    } finally {
      conn.busy = null;
      done();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (--this.#conn.users > 0) return;
    connections.delete(this.#conn.path);
    this.#conn.db.close();
  }
}

export class PostgresRunner implements SqlRunner {
  readonly dialect = "postgres";

  constructor(private readonly sql: SQL | { unsafe: SQL["unsafe"] }, private readonly owned = true) {}

  /** A pool of at most `max` connections to `url`. */
  static connect(url: string, max = 4): PostgresRunner {
    return new PostgresRunner(new SQL(url, { max }));
  }

  async query<T = Row>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return (await this.sql.unsafe(sql, params)) as T[];
  }

  async transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    if (!(this.sql instanceof SQL)) return work(this);
    return this.sql.begin((tx) => work(new PostgresRunner(tx, false))) as Promise<T>;
  }

  async close(): Promise<void> {
    if (this.owned && this.sql instanceof SQL) await this.sql.close();
  }
}

/**
 * Runs idempotent schema statements (CREATE … IF NOT EXISTS). On PostgreSQL several nodes may start at once,
 * and concurrent CREATE TABLE IF NOT EXISTS can still collide: an advisory lock makes them take turns.
 */
export async function ensureSchema(db: SqlRunner, statements: readonly string[]): Promise<void> {
  await db.transaction(async (tx) => {
    if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock(7218432)");
    for (const statement of statements) await tx.query(statement);
  });
}
