// The two databases a store runs on, for tests that run one suite against both: a SQLite file in a temp dir,
// and a fresh database on a throw-away PostgreSQL server (skipped, saying why, where PostgreSQL is missing).
import { SQL } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POSTGRES_INSTALL_HINT, type PgTestServer, postgresBinDir, startPostgres } from "../catalog/pgserver.ts";

export const postgresAvailable = postgresBinDir() !== null;
export const POSTGRES_SKIP_REASON = `PostgreSQL is not installed. Install it with: ${POSTGRES_INSTALL_HINT}`;

/** Temp dirs for SQLite files, removed by `removeTempDirs`. */
const dirs: string[] = [];

export function tempDataDir(prefix = "deskreel-db-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** One PostgreSQL server for a test file; each `freshUrl()` is a new, empty database on it. */
export class PgDatabases {
  private server: PgTestServer | null = null;
  private admin: SQL | null = null;
  private count = 0;

  async start(): Promise<void> {
    this.server = await startPostgres();
    this.admin = new SQL(this.server.url);
  }

  async freshUrl(prefix = "db"): Promise<string> {
    if (!this.server || !this.admin) throw new Error("PostgreSQL test server is not running");
    const name = `${prefix}_${++this.count}`;
    await this.admin.unsafe(`CREATE DATABASE ${name}`);
    return this.server.url.replace(/\/postgres$/, `/${name}`);
  }

  async stop(): Promise<void> {
    await this.admin?.close();
    await this.server?.stop();
  }
}
