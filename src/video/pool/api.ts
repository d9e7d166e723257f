// The VideoPool's public shapes: what callers pass in and get back.
import type { PictureMessage } from "../../tdp/messages.ts";
import type { PreviewSheet } from "../compose/previewSheets.ts";
import type { EncodeWindow } from "../compose/scheduler.ts";
import type { EncoderPreference } from "../encoder/preference.ts";
import type { H264CodecConfig } from "../encoder/types.ts";
import type { VideoMode, VideoProblemKind } from "./protocol.ts";

export interface VideoSessionOptions {
  mode: VideoMode;
  /** Frame-rate cap (default 10). */
  maxFps?: number;
  /** Keyframe at least this often in session time (default 3000 ms). */
  keyframeMs?: number;
  /** Encoder quantiser (default 28). */
  qp?: number;
  thumbnailWidth?: number;
  /** Make seek-bar preview sheets (default true). */
  previews?: boolean;
  /** Overlay the RDP pointer on frames where the RDP client shows it (default true). */
  pointer?: boolean;
  /**
   * Import only: encode just the frames whose pts fall in this window (the first one as a keyframe),
   * composing every message so the window starts from the right picture. Frame times are those of a
   * run without a window, so windows of one session join into its single-run timeline.
   */
  encodeWindow?: EncodeWindow;
}

export interface VideoFrame {
  ptsMs: number;
  isKey: boolean;
  /** AVCC sample. */
  data: Uint8Array;
}

export interface VideoProblem {
  kind: VideoProblemKind;
  reason: string;
  /** Index (0-based, in push order) of the message at fault, when one is. */
  messageIndex: number | null;
  /** Session time of that message. */
  atMs: number | null;
}

export interface VideoSessionEvents {
  onConfig(config: H264CodecConfig): void;
  onFrame(frame: VideoFrame): void;
  onProblem(problem: VideoProblem): void;
  onThumbnail(png: Uint8Array, info: { atMs: number; final: boolean }): void;
  /** A seek-bar preview sheet, new or grown (a live sheet comes again after each tile). */
  onPreview?(sheet: PreviewSheet): void;
  /**
   * After end(): every frame has been delivered (the video can be finished now); the final thumbnail and
   * preview sheet still follow before end() resolves. Not called when the session fails first.
   */
  onFramesDone?(): void;
}

export interface VideoSessionSummary {
  frames: number;
  keyframes: number;
  droppedFrames: number;
  /** Frames not encoded: the picture was identical to the previous frame. */
  sameFrames: number;
  encodedBytes: number;
  /** True when the video could not be completed (encoder or worker failure). */
  failed: boolean;
}

export interface VideoSession {
  /**
   * Queues one picture message at session time `delayMs` (its payload is copied before push returns).
   * False when the backlog is over the high-water mark: await drain().
   */
  push(delayMs: number, message: PictureMessage): boolean;
  /** Resolves once the backlog is under the low-water mark (or the session is over). */
  drain(): Promise<void>;
  /** Ends the session at `endMs`; resolves after the final frame, thumbnail and preview sheet have been delivered. */
  end(endMs: number): Promise<VideoSessionSummary>;
}

export interface VideoSessionStats {
  id: string;
  mode: VideoMode;
  worker: number;
  /** Session ms between the newest pushed message and the last one the worker has handled. */
  lagMs: number;
  /** Frames delivered per second over the last 5 s of wall time. */
  fps: number;
  frames: number;
  keyframes: number;
  droppedFrames: number;
  /** Frames not encoded: the picture was identical to the previous frame. */
  sameFrames: number;
  encodedBytes: number;
  intervalMs: number;
  failed: boolean;
}

export interface VideoWorkerStats {
  index: number;
  sessions: number;
  /** Share of the last stats period the worker spent composing and encoding (0..1). */
  busy: number;
  restarts: number;
}

export interface VideoPoolStats {
  sessions: VideoSessionStats[];
  workers: VideoWorkerStats[];
}

export interface VideoPoolOptions {
  /** Number of workers (default: the number of cores). */
  workers?: number;
  /** H.264 backend for every session of this pool (default "auto": WebCodecs where its binding loads). */
  encoder?: EncoderPreference;
  /** Backlog (bytes pushed, not yet handled) above which push() returns false. Default 32 MiB. */
  highWaterBytes?: number;
}
