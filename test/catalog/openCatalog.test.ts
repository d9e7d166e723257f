import { describe, expect, test } from "bun:test";

describe("openCatalog", () => {
  test("opens SQLite in the data dir by default and refuses a non-postgres URL", async () => {
    const { mkdtemp, rm, stat } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { openCatalog } = await import("../../src/catalog/openCatalog.ts");
    const dir = await mkdtemp(join(tmpdir(), "deskreel-open-"));
    try {
      const catalog = await openCatalog({ dataDir: join(dir, "data"), databaseUrl: null });
      await catalog.createRecording({ id: "o1", kind: "ssh", user: "u", startMs: 1 });
      await catalog.close();
      expect((await stat(join(dir, "data", "catalog.sqlite"))).size).toBeGreaterThan(0);
      await expect(openCatalog({ dataDir: dir, databaseUrl: "mysql://user:secret@db/x" })).rejects.toThrow(/postgres:\/\/ URL, got mysql:\/\/…@db\/x/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
