// The session layer's part in a recording's video: pick the live or the import way into video/ (with
// the session's blob keys and settings), and write how it ended into the catalogue.
import type { Catalog } from "../catalog/catalog.ts";
import type { EncodeWindow } from "../video/compose/scheduler.ts";
import { RecordingVideo, type BadPictureListener, type RecordingVideoDeps, type VideoKeys, type VideoOutcome } from "../video/recordingVideo.ts";
import { blobKeys } from "../storage/sessionKeys.ts";

export interface SessionVideoDeps extends RecordingVideoDeps {
  catalog: Catalog;
  maxFps: number;
  keyframeMs: number;
  /** Draw the RDP pointer into RDP-era videos. */
  videoPointer: boolean;
}

function videoKeys(sessionId: string): VideoKeys {
  const keys = blobKeys(sessionId);
  return { live: keys.liveVideo, final: keys.video, thumbnail: keys.thumbnail, previews: keys.previews };
}

function settings(deps: SessionVideoDeps, sessionId: string) {
  return { keys: videoKeys(sessionId), maxFps: deps.maxFps, keyframeMs: deps.keyframeMs, pointer: deps.videoPointer };
}

/** A live session's video; `onBadInput` hears of picture input the compositor rejected or skipped. */
export function liveSessionVideo(deps: SessionVideoDeps, sessionId: string, onBadInput: BadPictureListener): RecordingVideo {
  return RecordingVideo.live(deps, sessionId, { ...settings(deps, sessionId), onBadInput });
}

/** An imported recording's video, encoded in `windows` of session time on several workers. */
export function importedSessionVideo(deps: SessionVideoDeps, sessionId: string, windows: EncodeWindow[], onBadInput: BadPictureListener): RecordingVideo {
  return RecordingVideo.import(deps, sessionId, { ...settings(deps, sessionId), windows, onBadInput });
}

/**
 * Ends the video at recording time `endMs` and lists the outcome. Never throws: a video failure marks
 * the video failed and leaves the recording alone.
 */
export async function finishSessionVideo(deps: SessionVideoDeps, video: RecordingVideo, endMs: number): Promise<void> {
  await listVideoOutcome(deps, video, video.finish(endMs));
}

/**
 * Lists how a video ended (`ending`: its `finish`, which may have been started earlier) and waits for its
 * final thumbnail and preview sheets. Never throws.
 */
export async function listVideoOutcome(deps: SessionVideoDeps, video: RecordingVideo, ending: Promise<VideoOutcome>): Promise<void> {
  const outcome = await ending;
  const update = outcome.ok
    ? { videoState: "ready" as const, videoDurationMs: outcome.durationMs, videoBytes: outcome.bytes }
    : { videoState: "failed" as const, error: outcome.reason };
  await deps.catalog.updateRecording(video.id, update).catch((err) => deps.log(`session ${video.id}: video state not listed: ${String(err)}`));
  // Listed first, the final thumbnail and preview sheet stored after: the caller seals only once they are.
  if (outcome.ok) await outcome.extras;
}
