// Data-dir mode: when no server answers, read the catalog and the blob store directly, opened the way
// the server opens them (src/services.ts), with the same environment for PostgreSQL and S3.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Catalog } from "../catalog/catalog.ts";
import { openCatalog } from "../catalog/openCatalog.ts";
import { loadConfig } from "../config.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { openBlobStore } from "../storage/openBlobStore.ts";
import { CliError } from "./errors.ts";
import { errorMessage } from "../errorMessage.ts";

export class LocalData {
  private constructor(
    readonly dataDir: string,
    readonly catalog: Catalog,
    readonly store: BlobStore,
  ) {}

  /** Opens an existing data dir; refuses to create one where there is none. */
  static async open(dataDir: string, env: Record<string, string | undefined>): Promise<LocalData> {
    const dir = resolve(dataDir);
    let config;
    try {
      config = loadConfig({ ...env, DESKREEL_DATA: dir });
    } catch (err) {
      throw new CliError(`cannot read the server settings: ${errorMessage(err)}`);
    }
    if (config.databaseUrl === null && !existsSync(join(dir, "catalog.sqlite"))) {
      throw new CliError(`no deskreel data in ${dir} (no catalog.sqlite); pass --data DIR or set DESKREEL_DATA`);
    }
    try {
      const catalog = await openCatalog({ dataDir: dir, databaseUrl: config.databaseUrl });
      return new LocalData(dir, catalog, openBlobStore({ dataDir: dir, s3: config.s3 }));
    } catch (err) {
      throw new CliError(`cannot open the data in ${dir}: ${errorMessage(err)}`);
    }
  }

  close(): Promise<void> {
    return this.catalog.close();
  }
}
