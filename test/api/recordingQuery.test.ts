import { describe, expect, test } from "bun:test";
import { parseRecordingQuery as parseRecordingFilter } from "../../src/api/recordings.ts";
import { SchemaError } from "../../src/api/validation.ts";

describe("parseRecordingQuery", () => {
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
    expect(() => parseRecordingFilter({ status: "done" })).toThrow(SchemaError);
    expect(() => parseRecordingFilter({ has_marker: "error" })).toThrow(/has_marker/);
    expect(() => parseRecordingFilter({ limit: "501" })).toThrow(/limit must be a whole number from 1 to 500/);
    expect(() => parseRecordingFilter({ limit: "0" })).toThrow(/limit/);
    expect(() => parseRecordingFilter({ from: "yesterday" })).toThrow(/from must be an RFC 3339 time/);
    expect(() => parseRecordingFilter({ sort: "size" })).toThrow(/sort must be one of start\|duration\|user\|desktop, got "size"/);
    expect(() => parseRecordingFilter({ order: "descending" })).toThrow(/order must be one of asc\|desc/);
    expect(parseRecordingFilter({ sort: "user" })).toEqual({ sort: "user" });
  });
});
