// A run of picture rows: how the compositor, the pointer overlay, the resampler and the encoders say which
// part of a frame changed (only those rows are resampled and converted to YUV).

/** Rows [from, to) of a picture; a frame's changed rows are a list of these. */
export type RowSpan = readonly [from: number, to: number];

/** The spans sorted, overlapping and touching ones merged into one. */
export function mergeRows(rows: readonly RowSpan[]): Array<[number, number]> {
  const sorted = [...rows].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}
