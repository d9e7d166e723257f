// RFC 9110 range requests for one representation: Range, If-Range, 206/416, ETag.
// Pure functions: the video route feeds them the object's size and validator and streams the chosen bytes.

export interface ByteRange { start: number; end: number } // end exclusive

export type RangeDecision =
  | { kind: "full" }
  | { kind: "partial"; range: ByteRange }
  | { kind: "unsatisfiable" };

/**
 * Decide what to send for a Range header against a representation of `size` bytes.
 * Multiple ranges are answered with the whole representation (allowed by RFC 9110 §14.2: a server may ignore Range);
 * a syntactically invalid Range is ignored too, as the RFC requires.
 */
export function decideRange(rangeHeader: string | null, size: number): RangeDecision {
  if (!rangeHeader) return { kind: "full" };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(rangeHeader);
  if (!m) return { kind: "full" };
  const specs = m[1].split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (specs.length !== 1) return { kind: "full" };
  const spec = /^(\d*)\s*-\s*(\d*)$/.exec(specs[0]);
  if (!spec || (spec[1] === "" && spec[2] === "")) return { kind: "full" };
  if (spec[1] === "") {
    // suffix range: the last N bytes
    const n = Number(spec[2]);
    if (n === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", range: { start: Math.max(0, size - n), end: size } };
  }
  const first = Number(spec[1]);
  const last = spec[2] === "" ? size - 1 : Number(spec[2]);
  if (spec[2] !== "" && last < first) return { kind: "full" }; // invalid spec: ignore the header
  if (first >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", range: { start: first, end: Math.min(last, size - 1) + 1 } };
}

/**
 * If-Range: send the range only when the validator still matches (strong comparison for ETags,
 * exact match for an HTTP-date against Last-Modified); otherwise send the whole representation.
 */
export function ifRangeAllows(ifRange: string | null, etag: string, lastModified: string | null): boolean {
  if (!ifRange) return true;
  const v = ifRange.trim();
  if (v.startsWith("W/")) return false; // weak validators never match If-Range
  if (v.startsWith('"')) return v === etag && !etag.startsWith("W/");
  return lastModified !== null && v === lastModified;
}

/** ETag matching for If-None-Match (weak comparison, a list, or *). */
export function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = (s: string) => s.trim().replace(/^W\//, "");
  return header.split(",").some((t) => bare(t) === bare(etag));
}

export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end - 1}/${size}`;
}
