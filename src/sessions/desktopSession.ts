// One live desktop session from its ingest socket: every TDP or TDPB message is checked, recorded, marked on the
// timeline and handed to the video path. Bad input is answered and skipped; what was recorded stays.
import type { Catalog } from "../catalog/catalog.ts";
import type { Evidence } from "../evidence/evidence.ts";
import type { RecordingMode } from "../config.ts";
import { DesktopRecorder, type DesktopSessionInfo } from "../recording/desktopRecorder.ts";
import type { AuditLog } from "../recording/tee.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { isTdpb, TdpCodecError } from "../tdp/codec.ts";
import { decodeFrame, type DesktopFrame, framePictures } from "../tdp/eras.ts";
import { MessageType, type PictureMessage } from "../tdp/messages.ts";
import { MarkerTracker, ProblemMarkers } from "./markers.ts";
import { PictureBudget, type PictureVerdict, picturePixels } from "./pictureBudget.ts";
import { MAX_SCREEN_PIXELS } from "../video/compose/fit.ts";
import { RecordedSession } from "./recordedSession.ts";
import type { RecordingVideo, VideoOutcome } from "../video/recordingVideo.ts";
import { listVideoOutcome, liveSessionVideo, type SessionVideoDeps } from "./sessionVideo.ts";

export interface DesktopSessionDeps extends SessionVideoDeps {
  store: BlobStore;
  catalog: Catalog;
  auditLog: AuditLog;
  recordingMode: RecordingMode;
  keepClipboard: boolean;
  maxFps: number;
  keyframeMs: number;
  /** Decoded pixels per second a live session may send to its video (see pictureBudget.ts). */
  maxPixelsPerSecond: number;
  evidence: Evidence;
  /** The cluster node recording the session (its name goes into the catalog row). */
  node?: { readonly name: string };
}

/** What the socket should do after a message: nothing, tell the sender, or close. */
export type IngestReply =
  | { kind: "ok" }
  | { kind: "alert"; message: string }
  | { kind: "close"; code: number; reason: string };

/** A sender that keeps sending garbage is cut off after this many rejected messages. */
const MAX_BAD_MESSAGES = 100;

export interface DesktopSessionStats {
  messages: number;
  bytes: number;
  rejected: number;
  /** Pictures kept out of the video by the memory budget (the recording has them). */
  skippedPictures: number;
  durationMs: number;
}

/** How often a session logs that it is skipping pictures. */
const SKIP_LOG_INTERVAL_MS = 10_000;

export class DesktopSession extends RecordedSession {
  private recorder!: DesktopRecorder;
  private readonly markers = new MarkerTracker();
  private readonly problemMarkers = new ProblemMarkers();
  private sizeKnown = false;
  /** The sender's era, from its latest frame: replies (alerts) are written in it. */
  speaksTdpb = false;
  private rejected = 0;
  private messages = 0;
  private bytes = 0;
  private readonly budget: PictureBudget;
  private lastSkipLog = -Infinity;
  readonly video: RecordingVideo;
  /** The video's finish, started when the session ends. */
  private videoEnding: Promise<VideoOutcome> | null = null;

  private constructor(
    private readonly deps: DesktopSessionDeps,
    readonly info: DesktopSessionInfo,
    readonly openedAt: number,
  ) {
    super(deps, info.sessionId);
    this.budget = new PictureBudget({ pixelsPerSecond: deps.maxPixelsPerSecond });
    this.video = liveSessionVideo(deps, info.sessionId, (reason, atMs) => this.onVideoRejected(reason, atMs));
  }

  /** Lists the session as live and writes its start event. Throws (nothing listed) if either fails. */
  static async open(deps: DesktopSessionDeps, info: DesktopSessionInfo, openedAt = Date.now()): Promise<DesktopSession> {
    // Listed first, so the session shows as live at once; if storage then refuses, it stays listed as failed.
    await deps.catalog.createRecording({
      id: info.sessionId, kind: "desktop", user: info.user, login: info.login, desktopName: info.desktopName,
      desktopAddr: info.desktopAddr, cluster: info.clusterName, startMs: openedAt, status: "live",
      videoState: "encoding", participants: [info.user], ownerNode: deps.node?.name ?? null,
    });
    let session: DesktopSession | null = null;
    try {
      const handle = await deps.evidence.openRecording(info.sessionId);
      session = new DesktopSession(deps, info, openedAt);
      session.recorder = await DesktopRecorder.open({
        info, handle, auditLog: deps.auditLog, mode: deps.recordingMode, openedAt, log: deps.log,
        onStorageState: session.onStorageState,
      });
      return session;
    } catch (err) {
      session?.video.abandon();
      await deps.catalog.updateRecording(info.sessionId, { status: "failed", endMs: openedAt, videoState: "failed", error: String(err) });
      throw err;
    }
  }

  stats(): DesktopSessionStats {
    const { skippedForRate, skippedForBacklog } = this.budget.stats;
    return {
      messages: this.messages, bytes: this.bytes, rejected: this.rejected,
      skippedPictures: skippedForRate + skippedForBacklog, durationMs: this.recordingTimeAt(),
    };
  }

  recorderStats() {
    return this.recorder.stats();
  }

  /** One binary frame from the socket (legacy TDP, or TDPB when its first byte is 0), stamped on arrival. */
  handle(raw: Uint8Array, at = Date.now()): IngestReply {
    if (this.isClosing) return { kind: "ok" };
    this.messages++;
    this.bytes += raw.length;
    this.speaksTdpb = isTdpb(raw);
    let frame: DesktopFrame;
    try {
      frame = decodeFrame(raw);
    } catch (err) {
      return this.reject(err instanceof TdpCodecError ? err.message : `undecodable message: ${String(err)}`);
    }
    // Screens and tiles past what the video can use are refused before anything decodes them.
    const oversize = frame.messages.map(picturePixels).find((pixels) => pixels > MAX_SCREEN_PIXELS);
    if (oversize !== undefined) {
      return this.reject(`a picture of ${oversize} pixels is over the ${MAX_SCREEN_PIXELS}-pixel limit (two 4K screens)`);
    }
    for (const msg of frame.messages) {
      const screen = msg.type === MessageType.ClientScreenSpec || msg.type === MessageType.RDPConnectionActivated;
      if (screen && this.sizeKnown === false) {
        this.sizeKnown = true;
        void this.deps.catalog.updateRecording(this.sessionId, { width: msg.width, height: msg.height }).catch((e) => this.logError("size", e));
      }
    }
    const delayMs = frame.recorded ? this.clock.stamp(at) : this.recordingTimeAt(at);
    this.recorder.record(raw, { at, message: frame.messages[0], tdpb: frame.tdpb }).catch((err) => this.onRecordFailed(err));
    // Decoded once, here: the video path gets the typed messages (TDPB ones in the legacy model).
    if (frame.recorded) for (const picture of framePictures(frame)) this.toVideo(delayMs, picture);
    for (const msg of frame.messages) {
      const marker = this.markers.markerFor(msg, delayMs);
      if (marker) void this.deps.catalog.addMarker(this.sessionId, marker).catch((e) => this.logError("marker", e));
    }
    return { kind: "ok" };
  }

  protected get owner(): string {
    return this.info.user;
  }

  protected lostEvents(): number {
    const { writer, stream } = this.recorder.stats();
    return writer.lost + writer.refused + stream.unstoredAtClose;
  }

  protected async completeRecording(at: number, participants: string[]): Promise<void> {
    await this.recorder.close({ at, participants });
  }

  /** The encoders flush their last frames and the final MP4 is written while the recording completes. */
  protected override recordingEnds(durationMs: number): void {
    this.videoEnding ??= this.video.finish(durationMs);
  }

  /** The recording is complete and listed: now the final MP4 is. */
  protected override afterRecording(durationMs: number): Promise<void> {
    return listVideoOutcome(this.deps, this.video, this.videoEnding ?? this.video.finish(durationMs));
  }

  /** A picture goes to the video if the session's budget allows; live sessions never wait for the encoder. */
  private toVideo(delayMs: number, msg: PictureMessage): void {
    const verdict = this.budget.admit(msg);
    if (verdict !== "send") {
      this.noteSkipped(verdict);
      return;
    }
    if (!this.video.push(delayMs, msg)) this.budget.congestedUntil(this.video.drained());
  }

  private noteSkipped(verdict: Exclude<PictureVerdict, "send">): void {
    const now = performance.now();
    if (now - this.lastSkipLog < SKIP_LOG_INTERVAL_MS) return;
    this.lastSkipLog = now;
    const { skippedForRate, skippedForBacklog } = this.budget.stats;
    const why = verdict === "backlog" ? "the encoder's queue for it is full" : `it sends more than ${this.deps.maxPixelsPerSecond} pixels a second`;
    this.deps.log(
      `session ${this.sessionId}: pictures kept out of the video because ${why} ` +
        `(${skippedForRate} over the pixel rate, ${skippedForBacklog} over the queue so far; the recording has them all)`,
    );
  }

  private reject(reason: string): IngestReply {
    this.rejected++;
    this.deps.log(`session ${this.sessionId}: rejected message: ${reason}`);
    if (this.rejected > MAX_BAD_MESSAGES) {
      return { kind: "close", code: 1007, reason: `too many invalid messages (${this.rejected}); last: ${reason}`.slice(0, 120) };
    }
    return { kind: "alert", message: `deskreel rejected a message: ${reason}` };
  }

  private onVideoRejected(reason: string, atMs: number | null): void {
    this.rejected++;
    this.deps.log(`session ${this.sessionId}: picture rejected: ${reason}`);
    const marker = this.problemMarkers.markerFor(reason, atMs ?? this.recordingTimeAt());
    if (marker) void this.deps.catalog.addMarker(this.sessionId, marker).catch((e) => this.logError("marker", e));
    this.onAlert(`deskreel could not draw a tile: ${reason}`);
  }

  /** Set by the socket: sends a TDP alert to the sender. */
  onAlert: (message: string) => void = () => undefined;
}
