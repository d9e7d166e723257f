// The audit events a recording holds, as plain typed objects: a union discriminated by `type`
// (Teleport's event type string). Embedded Teleport metadata (Metadata, UserMetadata, ...) is
// flattened, as Teleport's own JSON form does.

/** Teleport event type strings. */
export const EventType = {
  DesktopRecording: "desktop.recording",
  SessionPrint: "print",
  WindowsDesktopSessionStart: "windows.desktop.session.start",
  WindowsDesktopSessionEnd: "windows.desktop.session.end",
  DesktopClipboardSend: "desktop.clipboard.send",
  DesktopClipboardReceive: "desktop.clipboard.receive",
  SessionStart: "session.start",
  SessionEnd: "session.end",
  // Teleport's names for the shared-directory ("file transfer") events.
  DesktopSharedDirectoryStart: "desktop.directory.share",
  DesktopSharedDirectoryRead: "desktop.directory.read",
  DesktopSharedDirectoryWrite: "desktop.directory.write",
} as const;

/** Teleport event codes ("I" = info, "W" = warning/failure). */
export const EventCode = {
  DesktopSessionStart: "TDP00I",
  DesktopSessionStartFailure: "TDP00W",
  DesktopSessionEnd: "TDP01I",
  DesktopClipboardSend: "TDP02I",
  DesktopClipboardReceive: "TDP03I",
  DesktopSharedDirectoryStart: "TDP04I",
  DesktopSharedDirectoryStartFailure: "TDP04W",
  DesktopSharedDirectoryRead: "TDP05I",
  DesktopSharedDirectoryReadFailure: "TDP05W",
  DesktopSharedDirectoryWrite: "TDP06I",
  DesktopSharedDirectoryWriteFailure: "TDP06W",
  SessionStart: "T2000I",
  SessionEnd: "T2004I",
} as const;

/** Teleport's recording limit: one record (u32 length + OneOf) body may be at most this many bytes. */
export const MAX_RECORD_BYTES = 64 * 1024;

/** Metadata shared by every event. `id` and `code` are empty for desktop.recording and print. */
export interface EventMetadata {
  index: number;
  time: Date;
  id: string;
  code: string;
  clusterName: string;
}

export interface UserFields {
  user: string;
  login: string;
}

export interface ConnectionFields {
  localAddr: string;
  remoteAddr: string;
  protocol: string;
}

export interface StatusFields {
  success: boolean;
  error: string;
  userMessage: string;
}

export interface ServerFields {
  serverNamespace: string;
  serverId: string;
  serverHostname: string;
  serverAddr: string;
  serverLabels: Record<string, string>;
}

export interface SessionFields {
  sessionId: string;
}

/** One legacy TDP message (`message`) or one TDPB message (`tdpbMessage`), never both. */
export interface DesktopRecordingEvent extends EventMetadata {
  type: typeof EventType.DesktopRecording;
  message: Uint8Array | null;
  tdpbMessage: Uint8Array | null;
  /** Milliseconds since the first recorded TDP message of the session. */
  delayMs: number;
}

/** One chunk of SSH terminal output. */
export interface SessionPrintEvent extends EventMetadata {
  type: typeof EventType.SessionPrint;
  chunkIndex: number;
  data: Uint8Array;
  bytes: number;
  /** Milliseconds since the first print chunk of the session. */
  delayMs: number;
  /** Bytes of output before this chunk. */
  offset: number;
}

interface DesktopFields {
  desktopService: string;
  desktopAddr: string;
  domain: string;
  windowsUser: string;
  desktopLabels: Record<string, string>;
  desktopName: string;
}

export interface WindowsDesktopSessionStartEvent
  extends EventMetadata, UserFields, SessionFields, ConnectionFields, StatusFields, DesktopFields {
  type: typeof EventType.WindowsDesktopSessionStart;
  allowUserCreation: boolean;
  nla: boolean;
}

export interface WindowsDesktopSessionEndEvent
  extends EventMetadata, UserFields, SessionFields, ConnectionFields, DesktopFields {
  type: typeof EventType.WindowsDesktopSessionEnd;
  startTime: Date;
  endTime: Date;
  recorded: boolean;
  participants: string[];
}

export interface DesktopClipboardEvent extends EventMetadata, UserFields, SessionFields, ConnectionFields {
  type: typeof EventType.DesktopClipboardSend | typeof EventType.DesktopClipboardReceive;
  desktopAddr: string;
  desktopName: string;
  /** Bytes of clipboard data; the data itself is never kept in an audit event. */
  length: number;
}

export interface SessionStartEvent extends EventMetadata, UserFields, SessionFields, ServerFields, ConnectionFields {
  type: typeof EventType.SessionStart;
  terminalSize: string;
  initialCommand: string[];
  sessionRecording: string;
}

export interface SessionEndEvent extends EventMetadata, UserFields, SessionFields, ServerFields, ConnectionFields {
  type: typeof EventType.SessionEnd;
  enhancedRecording: boolean;
  interactive: boolean;
  participants: string[];
  startTime: Date;
  endTime: Date;
  initialCommand: string[];
  sessionRecording: string;
}

interface SharedDirectoryFields extends EventMetadata, UserFields, SessionFields, ConnectionFields, StatusFields {
  desktopAddr: string;
  desktopName: string;
  directoryName: string;
  directoryId: number;
}

export interface DesktopSharedDirectoryStartEvent extends SharedDirectoryFields {
  type: typeof EventType.DesktopSharedDirectoryStart;
}

export interface DesktopSharedDirectoryIoEvent extends SharedDirectoryFields {
  type: typeof EventType.DesktopSharedDirectoryRead | typeof EventType.DesktopSharedDirectoryWrite;
  path: string;
  length: number;
  offset: number;
}

/**
 * A OneOf member this project does not model (SessionJoin, Resize, ... in Teleport SSH recordings).
 * Its bytes are kept so it can be written back unchanged; `eventType` comes from its Metadata.
 */
export interface UnknownEvent extends EventMetadata {
  type: "unknown";
  eventType: string;
  oneOfField: number;
  raw: Uint8Array;
}

export type AuditEvent =
  | DesktopRecordingEvent
  | SessionPrintEvent
  | WindowsDesktopSessionStartEvent
  | WindowsDesktopSessionEndEvent
  | DesktopClipboardEvent
  | SessionStartEvent
  | SessionEndEvent
  | DesktopSharedDirectoryStartEvent
  | DesktopSharedDirectoryIoEvent
  | UnknownEvent;

export type AuditEventType = AuditEvent["type"];

/** The event's Teleport type string (for unknown members, the one found in their Metadata). */
export function teleportType(event: AuditEvent): string {
  return event.type === "unknown" ? event.eventType : event.type;
}

/** Events that carry session playback data rather than something an auditor searches for. */
export function isPlaybackEvent(event: AuditEvent): event is DesktopRecordingEvent | SessionPrintEvent {
  return event.type === EventType.DesktopRecording || event.type === EventType.SessionPrint;
}

/** The session id an event names, or "" for events without SessionMetadata (recording, print). */
export function sessionIdOf(event: AuditEvent): string {
  return "sessionId" in event ? event.sessionId : "";
}

/** Metadata with nothing stamped yet; the AuditWriter fills index, time, id and cluster. */
export function blankMetadata(): EventMetadata {
  return { index: 0, time: new Date(0), id: "", code: "", clusterName: "" };
}
