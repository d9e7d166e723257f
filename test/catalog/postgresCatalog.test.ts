// The catalog contract against a real PostgreSQL server started for this file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { PostgresCatalog } from "../../src/catalog/postgresCatalog.ts";
import { catalogContract } from "./catalogSuite.ts";
import { POSTGRES_INSTALL_HINT, type PgTestServer, postgresBinDir, startPostgres } from "./pgserver.ts";

const available = postgresBinDir() !== null;
if (!available) console.warn(`PostgreSQL catalog tests skipped: PostgreSQL is not installed. Install it with: ${POSTGRES_INSTALL_HINT}`);

let server: PgTestServer | null = null;
let admin: SQL | null = null;
let databases = 0;

/** Each call gets a new, empty database on the shared server. */
async function freshCatalog(): Promise<PostgresCatalog> {
  if (!server || !admin) throw new Error("PostgreSQL test server is not running");
  const name = `catalog_${++databases}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  return PostgresCatalog.open(server.url.replace(/\/postgres$/, `/${name}`));
}

describe.skipIf(!available)("PostgresCatalog", () => {
  beforeAll(async () => {
    server = await startPostgres();
    admin = new SQL(server.url);
  }, 30_000);
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  catalogContract("PostgreSQL", freshCatalog);

  test("two servers opening one catalog at once migrate it once", async () => {
    if (!server || !admin) throw new Error("not started");
    await admin.unsafe("CREATE DATABASE catalog_shared");
    const url = server.url.replace(/\/postgres$/, "/catalog_shared");
    const [a, b] = await Promise.all([PostgresCatalog.open(url), PostgresCatalog.open(url)]);
    await a.createRecording({ id: "shared-1", kind: "desktop", user: "alice", startMs: 5 });
    expect((await b.getRecording("shared-1"))?.user).toBe("alice");
    await a.close();
    await b.close();
  });
});
