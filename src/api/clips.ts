// The clip export's query: a span of recording time in milliseconds (the unit of every recording time in
// this API: duration_ms, markers' t_ms), from the recording's start.
import { t } from "elysia";
import { wholeNumber } from "./common.ts";

/** Longest span one request may ask for: 24 h, past any recording the server keeps. */
export const MAX_CLIP_MS = 24 * 3_600_000;

export const ClipQuery = t.Object({
  from: wholeNumber("from", 0, MAX_CLIP_MS, "start of the clip, ms from the recording's start (inclusive)"),
  to: wholeNumber("to", 1, MAX_CLIP_MS, "end of the clip, ms from the recording's start (exclusive); at most the recording's duration (so far, while live)"),
});
