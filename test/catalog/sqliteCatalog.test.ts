import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteCatalog } from "../../src/catalog/sqliteCatalog.ts";
import { catalogContract } from "./catalogSuite.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "deskreel-catalog-"));
  dirs.push(dir);
  return join(dir, "catalog.sqlite");
}

catalogContract("SQLite", async () => new SqliteCatalog(await freshFile()));

describe("SqliteCatalog on disk", () => {
  test("uses WAL and keeps everything across a restart; live sessions are interrupted at the next start", async () => {
    const path = await freshFile();
    const before = new SqliteCatalog(path);
    await before.createRecording({ id: "x1", kind: "desktop", user: "alice", startMs: 1_000, durationMs: 0 });
    await before.updateRecording("x1", { durationMs: 7_000, width: 800, height: 600 });
    await before.addMarker("x1", { tMs: 10, kind: "resize", detail: "800x600" });
    await before.appendAuditEvent({ event: "windows.desktop.session.start", time: "2026-03-01T10:00:00Z", sid: "x1" });
    // No close(): the process "crashes" here.
    const after = new SqliteCatalog(path);
    expect(await after.interruptLiveRecordings("deskreel restarted while recording")).toEqual(["x1"]);
    const row = await after.getRecording("x1");
    expect(row?.status).toBe("interrupted");
    expect(row?.endMs).toBe(8_000);
    expect(row?.width).toBe(800);
    expect(await after.listMarkers("x1")).toEqual([{ tMs: 10, kind: "resize", detail: "800x600" }]);
    expect((await after.listAuditEvents({ sid: "x1" })).length).toBe(1);
    const { Database } = await import("bun:sqlite");
    const raw = new Database(path, { readonly: true });
    expect(raw.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    raw.close();
    await before.close();
    await after.close();
  });

  test("a database from a newer schema is refused", async () => {
    const path = await freshFile();
    const { Database } = await import("bun:sqlite");
    const raw = new Database(path, { create: true });
    raw.exec("PRAGMA user_version = 99");
    raw.close();
    expect(() => new SqliteCatalog(path)).toThrow(/schema version 99/);
  });
});
