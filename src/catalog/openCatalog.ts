// Picks the catalog the configuration asks for: PostgreSQL when a URL is given, else SQLite in the data dir.
import { join } from "node:path";
import { ensurePrivateDir, makeDatabasePrivate } from "../privateFiles.ts";
import type { Catalog } from "./catalog.ts";
import { PostgresCatalog } from "./postgresCatalog.ts";
import { SqliteCatalog } from "./sqliteCatalog.ts";

export interface CatalogLocation {
  dataDir: string;
  /** postgres:// or postgresql:// URL, or null for <dataDir>/catalog.sqlite. */
  databaseUrl: string | null;
}

/** Opens (and migrates) the catalog. Call interruptLiveRecordings() once at startup, before recording. */
export async function openCatalog(location: CatalogLocation): Promise<Catalog> {
  if (location.databaseUrl !== null) {
    if (!/^postgres(ql)?:\/\//.test(location.databaseUrl)) {
      throw new Error(`DESKREEL_DATABASE_URL must be a postgres:// URL, got ${location.databaseUrl.replace(/\/\/[^@]*@/, "//…@")}`);
    }
    return PostgresCatalog.open(location.databaseUrl);
  }
  ensurePrivateDir(location.dataDir);
  const path = join(location.dataDir, "catalog.sqlite");
  const catalog = new SqliteCatalog(path);
  makeDatabasePrivate(path);
  return catalog;
}
