import { describe, expect, test } from "bun:test";
import { decideRange, ifRangeAllows, etagMatches, contentRange } from "../../src/http/range";

describe("decideRange", () => {
  test("no header or junk means the whole representation", () => {
    expect(decideRange(null, 100)).toEqual({ kind: "full" });
    expect(decideRange("items=0-5", 100)).toEqual({ kind: "full" });
    expect(decideRange("bytes=5-2", 100)).toEqual({ kind: "full" });
    expect(decideRange("bytes=-", 100)).toEqual({ kind: "full" });
    expect(decideRange("bytes=0-1,5-6", 100)).toEqual({ kind: "full" });
  });
  test("closed, open and suffix ranges", () => {
    expect(decideRange("bytes=0-9", 100)).toEqual({ kind: "partial", range: { start: 0, end: 10 } });
    expect(decideRange("bytes=90-", 100)).toEqual({ kind: "partial", range: { start: 90, end: 100 } });
    expect(decideRange("bytes=95-200", 100)).toEqual({ kind: "partial", range: { start: 95, end: 100 } });
    expect(decideRange("bytes=-10", 100)).toEqual({ kind: "partial", range: { start: 90, end: 100 } });
    expect(decideRange("bytes=-500", 100)).toEqual({ kind: "partial", range: { start: 0, end: 100 } });
  });
  test("ranges past the end are unsatisfiable", () => {
    expect(decideRange("bytes=100-", 100)).toEqual({ kind: "unsatisfiable" });
    expect(decideRange("bytes=-0", 100)).toEqual({ kind: "unsatisfiable" });
    expect(decideRange("bytes=0-", 0)).toEqual({ kind: "unsatisfiable" });
  });
  test("content-range text", () => {
    expect(contentRange({ start: 0, end: 10 }, 100)).toBe("bytes 0-9/100");
  });
});

describe("validators", () => {
  test("If-Range uses strong comparison", () => {
    expect(ifRangeAllows(null, '"a"', null)).toBe(true);
    expect(ifRangeAllows('"a"', '"a"', null)).toBe(true);
    expect(ifRangeAllows('"b"', '"a"', null)).toBe(false);
    expect(ifRangeAllows('W/"a"', '"a"', null)).toBe(false);
    const date = "Wed, 25 Nov 2026 10:00:00 GMT";
    expect(ifRangeAllows(date, '"a"', date)).toBe(true);
    expect(ifRangeAllows(date, '"a"', "Thu, 26 Nov 2026 10:00:00 GMT")).toBe(false);
  });
  test("If-None-Match uses weak comparison and lists", () => {
    expect(etagMatches('"x", W/"a"', '"a"')).toBe(true);
    expect(etagMatches("*", '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(null, '"a"')).toBe(false);
  });
});
