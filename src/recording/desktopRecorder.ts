// One desktop session's recorder: session start/end events, the RFD 47 set of TDP messages as
// desktop.recording events, clipboard and shared-directory audit events, all into one recording
// stream, with the auditable ones also sent to the main audit log. No HTTP, no storage choices:
// it is given an AppendHandle and an AuditLog.
//
// Clipboard policy. By default a ClipboardData message (type 6) is recorded with its data removed:
// the recorded message is a valid ClipboardData with an empty payload (length field 0), so a player
// still sees "clipboard used here" and nothing of what was copied. The length goes into the
// DesktopClipboardSend/Receive event recorded right after it (and into the audit log). With
// keepClipboardContent the data is recorded as sent, cut to what fits one record (~64 KiB).
import type { AppendHandle } from "../storage/blobStore.ts";
import { decodeMessage, encodeMessage } from "../tdp/codec.ts";
import { MessageType, RECORDED_TYPES, type TdpMessage } from "../tdp/messages.ts";
import { decodeTdpb, encodeTdpb, isTdpb } from "../tdp/tdpb/codec.ts";
import { toLegacy } from "../tdp/tdpb/legacy.ts";
import { TDPB_HEADER_BYTES, TDPB_RECORDED_KINDS, type TdpbMessage } from "../tdp/tdpb/messages.ts";
import { AuditWriter, type AuditWriterConfig, type AuditWriterStats, desktopRecordingEvent, type RecordingMode } from "./auditWriter.ts";
import {
  type AuditEvent,
  type DesktopClipboardEvent,
  EventCode,
  EventType,
  type WindowsDesktopSessionEndEvent,
  type WindowsDesktopSessionStartEvent,
  blankMetadata,
} from "./eventTypes.ts";
import { SharedDirectoryAudit } from "./sharedDirectoryAudit.ts";
import { SessionStream, type SessionStreamOptions, type SessionStreamStatus } from "./sessionStream.ts";
import type { DurableListener } from "./stream.ts";
import { type AuditLog, AuditTee } from "./tee.ts";
import { splitTileMessage } from "./tileSplit.ts";

export interface DesktopSessionInfo {
  sessionId: string;
  /** Teleport user (who connected). */
  user: string;
  /** The Windows (or other OS) login used on the desktop. */
  login: string;
  desktopName: string;
  desktopAddr: string;
  clusterName: string;
  labels?: Record<string, string>;
  /** Name of the service that proxied the session (Teleport's windows_desktop_service). */
  desktopService?: string;
  domain?: string;
  /** The user's client address, and ours as the desktop sees it. */
  clientAddr?: string;
  serviceAddr?: string;
  /** Keep clipboard contents in the recording (default false: length only). */
  keepClipboardContent?: boolean;
}

export interface DesktopRecorderOptions {
  info: DesktopSessionInfo;
  handle: AppendHandle;
  auditLog: AuditLog;
  mode?: RecordingMode;
  /** Wall-clock ms of the session start (default now). */
  openedAt?: number;
  backoffTimeoutMs?: number;
  backoffDurationMs?: number;
  maxBufferedEvents?: number;
  maxBufferedBytes?: number;
  stream?: Partial<Omit<SessionStreamOptions, "sessionId" | "handle">>;
  onStorageState?: AuditWriterConfig["onStorageState"];
  log?: (message: string) => void;
}

/** Who sent a message: the user's client, or the desktop. Only matters for messages that go both ways. */
export type Direction = "client" | "server";

export interface RecordOptions {
  /** Wall-clock ms at arrival (default now). */
  at?: number;
  /** The decoded message, when the caller has it already (saves decoding it again). */
  message?: TdpMessage;
  /** The decoded TDPB message of a TDPB frame, when the caller has it already. */
  tdpb?: TdpbMessage | null;
  /** Default for ClipboardData: "server" (copied on the remote desktop, a DesktopClipboardReceive). */
  direction?: Direction;
}

/** recorded: kept in the recording; audited: only produced an audit event; ignored: neither. */
export type RecordOutcome = "recorded" | "audited" | "ignored";

export interface DesktopRecorderStats {
  writer: AuditWriterStats;
  stream: SessionStreamStatus;
  auditLogFailures: number;
}

const CLIPBOARD_HEADER = 5; // type byte + u32 length

export class DesktopRecorder {
  private readonly writer: AuditWriter;
  private readonly stream: SessionStream;
  private readonly tee: AuditTee;
  private readonly sharedDirectories: SharedDirectoryAudit;
  private closed = false;

  private constructor(
    private readonly info: DesktopSessionInfo,
    private readonly openedAt: number,
    options: DesktopRecorderOptions,
  ) {
    const log = options.log ?? ((m: string) => console.warn(m));
    this.stream = new SessionStream({ log, ...options.stream, sessionId: info.sessionId, handle: options.handle });
    this.writer = new AuditWriter({
      sessionId: info.sessionId,
      clusterName: info.clusterName,
      stream: this.stream,
      makeEvent: desktopRecordingEvent,
      splitOversize: splitTileMessage,
      mode: options.mode ?? "async",
      log,
      ...definedOnly({
        backoffTimeoutMs: options.backoffTimeoutMs, backoffDurationMs: options.backoffDurationMs,
        maxBufferedEvents: options.maxBufferedEvents, maxBufferedBytes: options.maxBufferedBytes,
        onStorageState: options.onStorageState,
      }),
    });
    this.tee = new AuditTee(options.auditLog, log);
    this.sharedDirectories = new SharedDirectoryAudit({ ...this.identity(), desktopAddr: info.desktopAddr, desktopName: info.desktopName });
  }

  /** Start recording: emits windows.desktop.session.start. In sync mode, rejects if storage refuses it. */
  static async open(options: DesktopRecorderOptions): Promise<DesktopRecorder> {
    const openedAt = options.openedAt ?? Date.now();
    const recorder = new DesktopRecorder(options.info, openedAt, options);
    await recorder.audit(recorder.startEvent(), openedAt);
    return recorder;
  }

  get sessionId(): string {
    return this.info.sessionId;
  }

  /** Be told when events become durable (a live viewer can read the recording up to there). */
  onDurable(listener: DurableListener): () => void {
    return this.stream.onDurable(listener);
  }

  /**
   * One TDP message as it arrived. Recorded types (1, 2, 3, 4, 6, 9, 27, 28, 29, 31) go into the
   * recording; keyboard, wheel, username, MFA and the other client-only types never do. Clipboard
   * and shared-directory messages also produce audit events. In sync mode this rejects with
   * RecordingRefusedError when storage cannot keep up: the caller must then end the session.
   */
  async record(raw: Uint8Array, options: RecordOptions = {}): Promise<RecordOutcome> {
    if (this.closed) throw new Error(`recording of session ${this.info.sessionId} is closed; message not recorded`);
    const at = options.at ?? Date.now();
    if (isTdpb(raw)) return this.recordTdpb(raw, at, options);
    const type = raw[0] ?? 0;
    if (type === MessageType.ClipboardData) {
      const message = options.message ?? decodeMessage(raw);
      if (message.type !== MessageType.ClipboardData) throw new Error(`session ${this.info.sessionId}: message is not ClipboardData`);
      // Both are queued before either is awaited, so callers that do not await keep their order.
      const recorded = this.writer.write(this.clipboardPayload(raw, message.data), at);
      const audited = this.audit(this.clipboardEvent(message.data.length, options.direction ?? "server"), at);
      await Promise.all([recorded, audited]);
      return "recorded";
    }
    if (RECORDED_TYPES.has(type)) {
      await this.writer.write(raw, at);
      return "recorded";
    }
    if (type >= MessageType.SharedDirectoryAnnounce && type <= MessageType.SharedDirectoryListResponse) {
      const event = this.sharedDirectories.observe(options.message ?? decodeMessage(raw));
      if (event === null) return "ignored";
      await this.audit(event, at);
      return "audited";
    }
    return "ignored";
  }

  /**
   * A TDPB message: recorded as DesktopRecording.TDPBMessage (field 4) when Teleport records its kind;
   * clipboard and shared-directory messages produce the same audit events as their legacy counterparts.
   */
  private async recordTdpb(raw: Uint8Array, at: number, options: RecordOptions): Promise<RecordOutcome> {
    const message = options.tdpb ?? decodeTdpb(raw);
    if (message.kind === "clipboardData") {
      const recorded = this.writer.write(this.tdpbClipboardPayload(raw, message.data), at);
      const audited = this.audit(this.clipboardEvent(message.data.length, options.direction ?? "server"), at);
      await Promise.all([recorded, audited]);
      return "recorded";
    }
    if (TDPB_RECORDED_KINDS.has(message.kind)) {
      await this.writer.write(raw, at);
      return "recorded";
    }
    if (message.kind.startsWith("sharedDirectory")) {
      const events = toLegacy(message).map((m) => this.sharedDirectories.observe(m)).filter((e) => e !== null);
      if (events.length === 0) return "ignored";
      await Promise.all(events.map((e) => this.audit(e, at)));
      return "audited";
    }
    return "ignored";
  }

  /** End the session: emits windows.desktop.session.end, then flushes and completes the recording. */
  async close(options: { at?: number; participants?: string[] } = {}): Promise<DesktopRecorderStats> {
    if (this.closed) return this.stats();
    this.closed = true;
    const at = options.at ?? Date.now();
    try {
      // Essential: the end event waits in the stream for storage instead of being dropped or refused.
      await this.audit(this.endEvent(at, options.participants ?? [this.info.user]), at, true);
    } finally {
      await this.writer.complete();
    }
    return this.stats();
  }

  stats(): DesktopRecorderStats {
    return { writer: this.writer.stats(), stream: this.stream.status, auditLogFailures: this.tee.stats().failures };
  }

  /** Into the recording and the audit log; the audit log gets it even if the recording refused it. */
  private async audit(event: AuditEvent, at: number, essential = false): Promise<void> {
    try {
      await this.writer.emit(event, at, { essential });
    } finally {
      await this.tee.forward(event);
    }
  }

  private clipboardPayload(raw: Uint8Array, data: Uint8Array): Uint8Array {
    if (!this.info.keepClipboardContent) return encodeMessage({ type: MessageType.ClipboardData, data: new Uint8Array(0) });
    const room = this.writer.maxPayloadBytes - CLIPBOARD_HEADER;
    if (data.length <= room) return raw;
    return encodeMessage({ type: MessageType.ClipboardData, data: data.subarray(0, room) });
  }

  private tdpbClipboardPayload(raw: Uint8Array, data: Uint8Array): Uint8Array {
    if (!this.info.keepClipboardContent) return encodeTdpb({ kind: "clipboardData", data: new Uint8Array(0) });
    // Header, Envelope tag + length, ClipboardData tag + length: at most 16 bytes around the data.
    const room = this.writer.maxPayloadBytes - TDPB_HEADER_BYTES - 12;
    if (data.length <= room) return raw;
    return encodeTdpb({ kind: "clipboardData", data: data.subarray(0, room) });
  }

  private identity() {
    const i = this.info;
    return {
      user: i.user, login: i.login, sessionId: i.sessionId,
      localAddr: i.serviceAddr ?? "", remoteAddr: i.clientAddr ?? "", protocol: "tdp",
    };
  }

  private desktop() {
    const i = this.info;
    return {
      desktopService: i.desktopService ?? "", desktopAddr: i.desktopAddr, domain: i.domain ?? "",
      windowsUser: i.login, desktopLabels: i.labels ?? {}, desktopName: i.desktopName,
    };
  }

  private startEvent(): WindowsDesktopSessionStartEvent {
    return {
      ...blankMetadata(), ...this.identity(), ...this.desktop(), type: EventType.WindowsDesktopSessionStart,
      code: EventCode.DesktopSessionStart, success: true, error: "", userMessage: "", allowUserCreation: false, nla: false,
    };
  }

  private endEvent(at: number, participants: string[]): WindowsDesktopSessionEndEvent {
    return {
      ...blankMetadata(), ...this.identity(), ...this.desktop(), type: EventType.WindowsDesktopSessionEnd,
      code: EventCode.DesktopSessionEnd, startTime: new Date(this.openedAt), endTime: new Date(at),
      recorded: true, participants,
    };
  }

  private clipboardEvent(length: number, direction: Direction): DesktopClipboardEvent {
    const send = direction === "client";
    return {
      ...blankMetadata(), ...this.identity(),
      type: send ? EventType.DesktopClipboardSend : EventType.DesktopClipboardReceive,
      code: send ? EventCode.DesktopClipboardSend : EventCode.DesktopClipboardReceive,
      desktopAddr: this.info.desktopAddr, desktopName: this.info.desktopName, length,
    };
  }
}

/** Drop undefined values so they do not override a config's defaults when spread. */
function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(values) as Array<keyof T>) if (values[key] !== undefined) out[key] = values[key];
  return out;
}
