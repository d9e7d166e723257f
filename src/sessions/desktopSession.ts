// One live desktop session from its ingest socket: every TDP message is checked, recorded, marked on the
// timeline and handed to the video path. Bad input is answered and skipped; what was recorded stays.
import type { Catalog } from "../catalog/catalog.ts";
import type { RecordingMode } from "../config.ts";
import { DesktopRecorder, type DesktopSessionInfo } from "../recording/desktopRecorder.ts";
import { RecordingRefusedError } from "../recording/auditWriter.ts";
import type { AuditLog } from "../recording/tee.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { decodeMessage, TdpCodecError, validateTile } from "../tdp/codec.ts";
import { MessageType, RECORDED_TYPES, type TdpMessage } from "../tdp/messages.ts";
import { blobKeys } from "./blobKeys.ts";
import { MarkerTracker } from "./markers.ts";
import { SessionVideo, type SessionVideoDeps } from "./sessionVideo.ts";

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
const PICTURE_TYPES = new Set([MessageType.ClientScreenSpec, MessageType.PNGFrame, MessageType.PNG2Frame]);

export interface DesktopSessionStats {
  messages: number;
  bytes: number;
  rejected: number;
  durationMs: number;
}

export class DesktopSession {
  private recorder!: DesktopRecorder;
  private readonly markers = new MarkerTracker();
  private firstRecordedAt: number | null = null;
  private lastDelayMs = 0;
  private sizeKnown = false;
  private rejected = 0;
  private messages = 0;
  private bytes = 0;
  private closing: Promise<void> | null = null;
  private refusal: string | null = null;
  readonly video: SessionVideo;
  /** Told when the session must end from our side (sync-mode refusal, too much bad input). */
  onFatal: (code: number, reason: string) => void = () => undefined;

  private constructor(
    private readonly deps: DesktopSessionDeps,
    readonly info: DesktopSessionInfo,
    readonly openedAt: number,
  ) {
    this.video = new SessionVideo(deps, info.sessionId, {
      mode: "live",
      maxFps: deps.maxFps,
      keyframeMs: deps.keyframeMs,
      onBadInput: (reason) => this.onVideoRejected(reason),
    });
  }

  /** Lists the session as live and writes its start event. Throws (nothing listed) if either fails. */
  static async open(deps: DesktopSessionDeps, info: DesktopSessionInfo, openedAt = Date.now()): Promise<DesktopSession> {
    const keys = blobKeys(info.sessionId);
    const handle = await deps.store.openAppend(keys.recording);
    await deps.catalog.createRecording({
      id: info.sessionId, kind: "desktop", user: info.user, login: info.login, desktopName: info.desktopName,
      desktopAddr: info.desktopAddr, cluster: info.clusterName, startMs: openedAt, status: "live",
      videoState: "encoding", participants: [info.user],
    });
    const session = new DesktopSession(deps, info, openedAt);
    try {
      session.recorder = await DesktopRecorder.open({
        info, handle, auditLog: deps.auditLog, mode: deps.recordingMode, openedAt, log: deps.log,
      });
    } catch (err) {
      session.video.abandon();
      await deps.catalog.updateRecording(info.sessionId, { status: "failed", endMs: openedAt, videoState: "failed", error: String(err) });
      throw err;
    }
    return session;
  }

  get sessionId(): string {
    return this.info.sessionId;
  }

  /** Recording time now (ms since the first recorded message): where "live" is on the timeline. */
  recordingTimeAt(at = Date.now()): number {
    return this.firstRecordedAt === null ? 0 : Math.max(this.lastDelayMs, at - this.firstRecordedAt);
  }

  stats(): DesktopSessionStats {
    return { messages: this.messages, bytes: this.bytes, rejected: this.rejected, durationMs: this.recordingTimeAt() };
  }

  recorderStats() {
    return this.recorder.stats();
  }

  /** One binary frame from the socket, stamped on arrival. */
  handle(raw: Uint8Array, at = Date.now()): IngestReply {
    if (this.closing) return { kind: "ok" };
    this.messages++;
    this.bytes += raw.length;
    let msg: TdpMessage;
    try {
      msg = decodeMessage(raw);
      if (msg.type === MessageType.PNGFrame || msg.type === MessageType.PNG2Frame) validateTile(msg);
    } catch (err) {
      return this.reject(err instanceof TdpCodecError ? err.message : `undecodable message: ${String(err)}`);
    }
    if (msg.type === MessageType.ClientScreenSpec && this.sizeKnown === false) {
      this.sizeKnown = true;
      void this.deps.catalog.updateRecording(this.sessionId, { width: msg.width, height: msg.height }).catch((e) => this.logError("size", e));
    }
    const recorded = RECORDED_TYPES.has(msg.type);
    const delayMs = recorded ? this.delayFor(at) : this.recordingTimeAt(at);
    this.recorder.record(raw, { at, message: msg }).catch((err) => this.onRecordFailed(err));
    if (recorded && PICTURE_TYPES.has(msg.type)) this.video.push(delayMs, raw);
    const marker = this.markers.markerFor(msg, delayMs);
    if (marker) void this.deps.catalog.addMarker(this.sessionId, marker).catch((e) => this.logError("marker", e));
    return { kind: "ok" };
  }

  /** The socket closed (or the server stops): end event, complete recording, then the final MP4. */
  close(at = Date.now()): Promise<void> {
    this.closing ??= this.finish(at);
    return this.closing;
  }

  private async finish(at: number): Promise<void> {
    const { catalog } = this.deps;
    const durationMs = this.recordingTimeAt(at);
    let status: "complete" | "failed" = this.refusal ? "failed" : "complete";
    let error: string | null = this.refusal;
    try {
      const row = await catalog.getRecording(this.sessionId);
      await this.recorder.close({ at, participants: row?.participants ?? [this.info.user] });
    } catch (err) {
      status = "failed";
      error = `recording did not complete: ${err instanceof Error ? err.message : String(err)}`;
      this.deps.log(`session ${this.sessionId}: ${error}`);
    }
    await catalog.updateRecording(this.sessionId, { status, endMs: at, durationMs, error });
    await this.video.finish(durationMs);
  }

  private delayFor(at: number): number {
    if (this.firstRecordedAt === null) this.firstRecordedAt = at;
    this.lastDelayMs = Math.max(this.lastDelayMs, at - this.firstRecordedAt);
    return this.lastDelayMs;
  }

  private reject(reason: string): IngestReply {
    this.rejected++;
    this.deps.log(`session ${this.sessionId}: rejected message: ${reason}`);
    if (this.rejected > MAX_BAD_MESSAGES) {
      return { kind: "close", code: 1007, reason: `too many invalid messages (${this.rejected}); last: ${reason}`.slice(0, 120) };
    }
    return { kind: "alert", message: `deskreel rejected a message: ${reason}` };
  }

  private onVideoRejected(reason: string): void {
    this.rejected++;
    this.deps.log(`session ${this.sessionId}: picture rejected: ${reason}`);
    this.onAlert(`deskreel could not draw a tile: ${reason}`);
  }

  /** Set by the socket: sends a TDP alert to the sender. */
  onAlert: (message: string) => void = () => undefined;

  private onRecordFailed(err: unknown): void {
    if (err instanceof RecordingRefusedError) {
      if (this.refusal === null) {
        this.refusal = err.message;
        this.deps.log(`session ${this.sessionId}: ${err.message}; ending the session (sync recording mode)`);
        this.onFatal(1011, "recording unavailable; session ended");
      }
      return;
    }
    this.logError("record", err);
  }

  private logError(what: string, err: unknown): void {
    this.deps.log(`session ${this.sessionId}: ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

