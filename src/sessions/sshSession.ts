// One live SSH session from its ingest socket: terminal output becomes `print` events (chunk index,
// offset, delay) through the same AuditWriter and SessionStream as desktops, framed by session.start
// and session.end, which also reach the main audit log. Terminal resizes are recorded as Teleport's
// `resize` event and listed as markers. SSH recordings have no video.
import protobuf from "protobufjs";
import type { Catalog } from "../catalog/catalog.ts";
import type { Evidence } from "../evidence/evidence.ts";
import type { RecordingMode } from "../config.ts";
import { AuditWriter, sessionPrintEvent, splitPrintData } from "../recording/auditWriter.ts";
import {
  type AuditEvent,
  EventType,
  type SessionEndEvent,
  type SessionStartEvent,
  type UnknownEvent,
  blankMetadata,
} from "../recording/eventTypes.ts";
import { MetadataType, toTimestamp } from "../recording/proto.ts";
import { SessionStream } from "../recording/sessionStream.ts";
import { type AuditLog, AuditTee } from "../recording/tee.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { formatTerminalSize, terminalResizeEvent, type TerminalSize } from "../recording/terminalResize.ts";
import { RecordedSession } from "./recordedSession.ts";

export interface SshSessionDeps {
  store: BlobStore;
  catalog: Catalog;
  auditLog: AuditLog;
  recordingMode: RecordingMode;
  log: (line: string) => void;
  evidence: Evidence;
  /** The cluster node recording the session (its name goes into the catalog row). */
  node?: { readonly name: string };
}

export interface SshSessionInfo {
  sessionId: string;
  /** Teleport user (who connected). */
  user: string;
  /** The OS login on the host. */
  login: string;
  /** The host's name, and its address when known. */
  host: string;
  hostAddr: string;
  clusterName: string;
  /** Terminal size when the session starts. */
  size: TerminalSize;
}

export interface SshSessionStats {
  messages: number;
  bytes: number;
  rejected: number;
  durationMs: number;
}

const SESSION_START_CODE = "T2000I";
const SESSION_END_CODE = "T2004I";

export class SshSession extends RecordedSession {
  private readonly writer: AuditWriter;
  private readonly tee: AuditTee;
  private size: TerminalSize;
  private messages = 0;
  private bytes = 0;
  private rejected = 0;

  private constructor(
    private readonly deps: SshSessionDeps,
    readonly info: SshSessionInfo,
    readonly openedAt: number,
    private readonly stream: SessionStream,
  ) {
    super(deps, info.sessionId);
    this.size = { ...info.size };
    this.writer = new AuditWriter({
      sessionId: info.sessionId, clusterName: info.clusterName, stream,
      makeEvent: sessionPrintEvent, splitOversize: splitPrintData, mode: deps.recordingMode, log: deps.log,
      onStorageState: this.onStorageState,
    });
    this.tee = new AuditTee(deps.auditLog, deps.log);
  }

  /** Lists the session as live and records session.start. Throws (the row marked failed) if either fails. */
  static async open(deps: SshSessionDeps, info: SshSessionInfo, openedAt = Date.now()): Promise<SshSession> {
    const handle = await deps.evidence.openRecording(info.sessionId);
    await deps.catalog.createRecording({
      id: info.sessionId, kind: "ssh", user: info.user, login: info.login, desktopName: info.host,
      desktopAddr: info.hostAddr, cluster: info.clusterName, startMs: openedAt, status: "live",
      videoState: "none", participants: [info.user], meta: { terminal: formatTerminalSize(info.size) },
      ownerNode: deps.node?.name ?? null,
    });
    const stream = new SessionStream({ sessionId: info.sessionId, handle, log: deps.log });
    const session = new SshSession(deps, info, openedAt, stream);
    try {
      await session.audit(session.startEvent(), openedAt);
    } catch (err) {
      await session.stream.abort().catch(() => undefined);
      await deps.catalog.updateRecording(info.sessionId, { status: "failed", endMs: openedAt, error: String(err) });
      throw err;
    }
    return session;
  }

  get terminalSize(): TerminalSize {
    return { ...this.size };
  }

  stats(): SshSessionStats {
    return { messages: this.messages, bytes: this.bytes, rejected: this.rejected, durationMs: this.recordingTimeAt() };
  }

  /** Terminal output as it arrived. The writer splits chunks too big for one record. */
  output(data: Uint8Array, at = Date.now()): void {
    if (this.isClosing || data.length === 0) return;
    this.messages++;
    this.bytes += data.length;
    this.clock.stamp(at);
    this.writer.write(data, at).catch((err) => this.onRecordFailed(err));
  }

  /** The terminal changed size: a resize event in the recording and a marker on the timeline. */
  resize(size: TerminalSize, at = Date.now()): void {
    if (this.isClosing) return;
    this.messages++;
    const before = this.size;
    if (before.cols === size.cols && before.rows === size.rows) return;
    this.size = { ...size };
    this.writer.emit(terminalResizeEvent(this.identity(), this.size), at).catch((err) => this.onRecordFailed(err));
    const marker = { tMs: this.recordingTimeAt(at), kind: "resize" as const, detail: `${before.cols}×${before.rows} → ${size.cols}×${size.rows}` };
    this.deps.catalog.addMarker(this.sessionId, marker).catch((err) => this.logError("marker", err));
  }

  /** Counts input the socket refused (the socket answers the sender itself). */
  noteRejected(reason: string): number {
    this.rejected++;
    this.deps.log(`session ${this.sessionId}: rejected a frame: ${reason}`);
    return this.rejected;
  }

  protected get owner(): string {
    return this.info.user;
  }

  protected lostEvents(): number {
    const writer = this.writer.stats();
    return writer.lost + writer.refused + this.stream.status.unstoredAtClose;
  }

  protected async completeRecording(at: number, participants: string[]): Promise<void> {
    try {
      await this.audit(this.endEvent(at, participants), at, true);
    } finally {
      await this.writer.complete();
    }
  }

  /** Into the recording and the audit log; the audit log gets it even if the recording refused it. */
  private async audit(event: AuditEvent, at: number, essential = false): Promise<void> {
    try {
      await this.writer.emit(event, at, { essential });
    } finally {
      await this.tee.forward(event);
    }
  }

  private identity() {
    const i = this.info;
    return {
      user: i.user, login: i.login, sessionId: i.sessionId,
      serverNamespace: "default", serverId: "", serverHostname: i.host, serverAddr: i.hostAddr, serverLabels: {},
      localAddr: i.hostAddr, remoteAddr: "", protocol: "ssh",
    };
  }

  private startEvent(): SessionStartEvent {
    return {
      ...blankMetadata(), ...this.identity(), type: EventType.SessionStart, code: SESSION_START_CODE,
      terminalSize: formatTerminalSize(this.size), initialCommand: [], sessionRecording: "node",
    };
  }

  private endEvent(at: number, participants: string[]): SessionEndEvent {
    return {
      ...blankMetadata(), ...this.identity(), type: EventType.SessionEnd, code: SESSION_END_CODE,
      enhancedRecording: false, interactive: true, participants, startTime: new Date(this.openedAt), endTime: new Date(at),
      initialCommand: [], sessionRecording: "node",
    };
  }
}
