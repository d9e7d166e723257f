import { describe, expect, test } from "bun:test";
import { CatalogError } from "../../src/catalog/catalog.ts";
import { parseRecordingFilter } from "../../src/catalog/filterParams.ts";

describe("parseRecordingFilter", () => {
  test("reads every filter from a URL query", () => {
    const params = new URLSearchParams(
      "kind=desktop&user=alice&desktop=win-1&q=adm&from=2026-03-01T12:12:12Z&to=2026-03-01T12:12:12%2B01:00&status=live&participant=bob&has_marker=clipboard&limit=20&sort=duration&order=asc&cursor=abc",
    );
    // to is an hour earlier than from in UTC: refused.
    expect(() => parseRecordingFilter(params)).toThrow(/from .* is after to/);
    params.set("to", "2026-03-01T13:12:12+01:00");
    expect(parseRecordingFilter(params)).toEqual({
      kind: "desktop", user: "alice", desktop: "win-1", q: "adm",
      fromMs: Date.UTC(2026, 2, 1, 12, 12, 12), toMs: Date.UTC(2026, 2, 1, 12, 12, 12),
      status: "live", participant: "bob", hasMarker: "clipboard", limit: 20, sort: "duration", order: "asc", cursor: "abc",
    });
  });

  test("empty values are absent; bad values say what is wrong", () => {
    expect(parseRecordingFilter({ kind: "", user: undefined })).toEqual({});
    expect(() => parseRecordingFilter({ kind: "rdp" })).toThrow(/kind must be one of desktop\|ssh/);
    expect(() => parseRecordingFilter({ status: "done" })).toThrow(CatalogError);
    expect(() => parseRecordingFilter({ has_marker: "error" })).toThrow(/has_marker/);
    expect(() => parseRecordingFilter({ limit: "501" })).toThrow(/limit must be a whole number from 1 to 500/);
    expect(() => parseRecordingFilter({ limit: "0" })).toThrow(/limit/);
    expect(() => parseRecordingFilter({ from: "yesterday" })).toThrow(/from must be an RFC 3339 time/);
    expect(() => parseRecordingFilter({ sort: "size" })).toThrow(/sort must be one of start\|duration\|user\|desktop, got "size"/);
    expect(() => parseRecordingFilter({ order: "descending" })).toThrow(/order must be one of asc\|desc/);
    expect(parseRecordingFilter({ sort: "user" })).toEqual({ sort: "user" });
  });
});

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
