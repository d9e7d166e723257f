// One live desktop session from its ingest socket: every TDP message is checked, recorded, marked on the
// timeline and handed to the video path. Bad input is answered and skipped; what was recorded stays.
import type { Catalog } from "../catalog/catalog.ts";
import type { RecordingMode } from "../config.ts";
import { DesktopRecorder, type DesktopSessionInfo } from "../recording/desktopRecorder.ts";
import type { AuditLog } from "../recording/tee.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { decodeMessage, TdpCodecError, validateTile } from "../tdp/codec.ts";
import { isPictureMessage, MessageType, RECORDED_TYPES, type TdpMessage } from "../tdp/messages.ts";
import { blobKeys } from "./blobKeys.ts";
import { MarkerTracker, ProblemMarkers } from "./markers.ts";
import { RecordedSession } from "./recordedSession.ts";
import type { RecordingVideo } from "../video/recordingVideo.ts";
import { finishSessionVideo, liveSessionVideo, type SessionVideoDeps } from "./sessionVideo.ts";

export interface DesktopSessionDeps extends SessionVideoDeps {
  store: BlobStore;
  catalog: Catalog;
  auditLog: AuditLog;
  recordingMode: RecordingMode;
  keepClipboard: boolean;
  maxFps: number;
  keyframeMs: number;
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
  durationMs: number;
}

export class DesktopSession extends RecordedSession {
  private recorder!: DesktopRecorder;
  private readonly markers = new MarkerTracker();
  private readonly problemMarkers = new ProblemMarkers();
  private sizeKnown = false;
  private rejected = 0;
  private messages = 0;
  private bytes = 0;
  readonly video: RecordingVideo;

  private constructor(
    private readonly deps: DesktopSessionDeps,
    readonly info: DesktopSessionInfo,
    readonly openedAt: number,
  ) {
    super(deps, info.sessionId);
    this.video = liveSessionVideo(deps, info.sessionId, (reason, atMs) => this.onVideoRejected(reason, atMs));
  }

  /** Lists the session as live and writes its start event. Throws (nothing listed) if either fails. */
  static async open(deps: DesktopSessionDeps, info: DesktopSessionInfo, openedAt = Date.now()): Promise<DesktopSession> {
    // Listed first, so the session shows as live at once; if storage then refuses, it stays listed as failed.
    await deps.catalog.createRecording({
      id: info.sessionId, kind: "desktop", user: info.user, login: info.login, desktopName: info.desktopName,
      desktopAddr: info.desktopAddr, cluster: info.clusterName, startMs: openedAt, status: "live",
      videoState: "encoding", participants: [info.user],
    });
    let session: DesktopSession | null = null;
    try {
      const handle = await deps.store.openAppend(blobKeys(info.sessionId).recording);
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
    return { messages: this.messages, bytes: this.bytes, rejected: this.rejected, durationMs: this.recordingTimeAt() };
  }

  recorderStats() {
    return this.recorder.stats();
  }

  /** One binary frame from the socket, stamped on arrival. */
  handle(raw: Uint8Array, at = Date.now()): IngestReply {
    if (this.isClosing) return { kind: "ok" };
    this.messages++;
    this.bytes += raw.length;
    let msg: TdpMessage;
    try {
      msg = decodeMessage(raw);
      if (msg.type === MessageType.PNGFrame || msg.type === MessageType.PNG2Frame) validateTile(msg);
    } catch (err) {
      return this.reject(err instanceof TdpCodecError ? err.message : `undecodable message: ${String(err)}`);
    }
    if ((msg.type === MessageType.ClientScreenSpec || msg.type === MessageType.RDPConnectionActivated) && this.sizeKnown === false) {
      this.sizeKnown = true;
      void this.deps.catalog.updateRecording(this.sessionId, { width: msg.width, height: msg.height }).catch((e) => this.logError("size", e));
    }
    const recorded = RECORDED_TYPES.has(msg.type);
    const delayMs = recorded ? this.clock.stamp(at) : this.recordingTimeAt(at);
    this.recorder.record(raw, { at, message: msg }).catch((err) => this.onRecordFailed(err));
    // Decoded once, here: the video path gets the typed message.
    if (recorded && isPictureMessage(msg)) this.video.push(delayMs, msg);
    const marker = this.markers.markerFor(msg, delayMs);
    if (marker) void this.deps.catalog.addMarker(this.sessionId, marker).catch((e) => this.logError("marker", e));
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

  /** The recording is complete and listed: now the final MP4. */
  protected override afterRecording(durationMs: number): Promise<void> {
    return finishSessionVideo(this.deps, this.video, durationMs);
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
