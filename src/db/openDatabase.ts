// The database the nodes share besides the catalog's own connection: PostgreSQL when DESKREEL_DATABASE_URL
// is set (a small pool), else the catalog's SQLite file in the data dir (a second connection; WAL).
import { join } from "node:path";
import { ensurePrivateDir } from "../privateFiles.ts";
import { PostgresRunner, type SqlRunner, SqliteRunner } from "./sqlRunner.ts";

export function openSharedDatabase(location: { dataDir: string; databaseUrl: string | null }): SqlRunner {
  if (location.databaseUrl !== null) return PostgresRunner.connect(location.databaseUrl);
  ensurePrivateDir(location.dataDir);
  return new SqliteRunner(join(location.dataDir, "catalog.sqlite"));
}
