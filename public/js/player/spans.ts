// Buffered time spans of a MediaSource that has gaps (a live stream only gets a frame when the screen changes, and
// each frame's duration is provisional). Decides which frame to show for a time and where playback must jump.
// Pure functions, unit-tested.

export interface Span {
  start: number;
  end: number;
}

/** Gaps smaller than this are decoder rounding, not idle time. */
export const JOIN_TOLERANCE = 0.05;

export function spansOf(ranges: TimeRanges): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const span = { start: ranges.start(i), end: ranges.end(i) };
    const last = out[out.length - 1];
    if (last && span.start - last.end < JOIN_TOLERANCE) last.end = Math.max(last.end, span.end);
    else out.push(span);
  }
  return out;
}

/** Index of the span holding t, or -1. */
export function spanIndexAt(spans: readonly Span[], t: number): number {
  for (let i = 0; i < spans.length; i++) if (t >= spans[i].start - 0.001 && t < spans[i].end) return i;
  return -1;
}

/** The start of the first span that begins after t, or null. */
export function nextSpanStart(spans: readonly Span[], t: number): number | null {
  for (const s of spans) if (s.start > t + 0.001) return s.start;
  return null;
}

export interface Placement {
  /** Where to put the media element's currentTime. */
  element: number;
  /** The time to report while the element shows a still frame for a time inside a gap, or null. */
  held: number | null;
}

/** Seconds before a span's end at which its last frame is still shown. */
const LAST_FRAME_OFFSET = 0.001;

/**
 * How to show the picture of time t: inside a span, go there; inside a gap (or past the last span), show the last
 * frame before it and hold t; before everything, show the first frame.
 */
export function placeAt(spans: readonly Span[], t: number): Placement {
  if (spans.length === 0) return { element: t, held: null };
  if (spanIndexAt(spans, t) >= 0) return { element: t, held: null };
  let before: Span | null = null;
  for (const s of spans) if (s.end <= t) before = s;
  if (!before) return { element: spans[0].start, held: null };
  return { element: Math.max(before.start, before.end - LAST_FRAME_OFFSET), held: t };
}

/** Has playback reached the end of the span it is in (where the element stalls)? */
export function atSpanEnd(spans: readonly Span[], t: number, margin = 0.08): boolean {
  const i = spanIndexAt(spans, t);
  if (i < 0) return spans.length > 0 && t >= spans[spans.length - 1].end - margin;
  return spans[i].end - t < margin;
}
