// How long a frame lasts before the next one is known. Every live frame is sent at once as its own
// fragment; its tfdt is exact, only its duration is a guess. Which guess works depends on the reader
// (measured with Chromium 156, see the tests and the notes on LiveVideo):
//
// - Players that demux the file themselves (ffmpeg, VLC, Chromium <video src>) place every frame by its
//   tfdt and hold a picture across any gap, and they seek correctly when durations are short. A long guess
//   breaks their seeking (Chromium shows the first frame whose [pts, pts + duration) covers the target).
//   So the stored live file uses a short guess.
// - MSE (Chromium FrameProcessor) treats a decode-time jump of more than 2 × the previous frame's duration
//   as a discontinuity and drops every non-keyframe until the next keyframe: after an idle minute a short
//   guess would freeze a live viewer until the next keyframe. So fragments sent to live viewers carry a
//   long guess; MSE then plays each frame at its time and keeps showing it until the next one arrives.

/** Stored live file: one nominal frame interval (10 fps); well within the 150 ms display rule. */
export const STORED_PROVISIONAL_DURATION_MS = 100;

/** Live viewers (MSE): idle gaps up to twice this long never look like a discontinuity. */
export const LIVE_PROVISIONAL_DURATION_MS = 60 * 60 * 1000;
