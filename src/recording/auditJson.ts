// Teleport's JSON form of an audit event: the field names of the `(gogoproto.jsontag)` options in
// Teleport's events.proto, with embedded metadata flattened and keys in Go's struct order.
import {
  type AuditEvent,
  type ConnectionFields,
  type EventMetadata,
  EventType,
  type ServerFields,
  type StatusFields,
  type UserFields,
  teleportType,
} from "./eventTypes.ts";

/** One audit-log entry as Teleport writes it (`ei`, `event`, `time` always; the rest per event type). */
export interface AuditJson {
  ei: number;
  event: string;
  time: string;
  uid?: string;
  code?: string;
  [field: string]: unknown;
}

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros, none at all when whole. */
export function formatRfc3339(date: Date): string {
  const iso = date.toISOString(); // 2024-01-02T03:04:05.120Z
  const [whole, fraction = "000Z"] = iso.split(".");
  const digits = fraction.slice(0, -1).replace(/0+$/, "");
  return digits === "" ? `${whole}Z` : `${whole}.${digits}Z`;
}

function base64(data: Uint8Array | null): string | null {
  return data === null ? null : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

type Json = Record<string, unknown>;

function metadata(e: EventMetadata, type: string): AuditJson {
  const out: AuditJson = { ei: e.index, event: type, time: "" };
  if (e.id !== "") out.uid = e.id;
  if (e.code !== "") out.code = e.code;
  out.time = formatRfc3339(e.time);
  if (e.clusterName !== "") out.cluster_name = e.clusterName;
  return out;
}

function user(out: Json, e: UserFields): void {
  if (e.user !== "") out.user = e.user;
  if (e.login !== "") out.login = e.login;
}

function connection(out: Json, e: ConnectionFields): void {
  if (e.localAddr !== "") out["addr.local"] = e.localAddr;
  if (e.remoteAddr !== "") out["addr.remote"] = e.remoteAddr;
  if (e.protocol !== "") out.proto = e.protocol;
}

function status(out: Json, e: StatusFields): void {
  out.success = e.success;
  if (e.error !== "") out.error = e.error;
  if (e.userMessage !== "") out.message = e.userMessage;
}

function server(out: Json, e: ServerFields): void {
  if (e.serverNamespace !== "") out.namespace = e.serverNamespace;
  out.server_id = e.serverId;
  if (e.serverHostname !== "") out.server_hostname = e.serverHostname;
  if (e.serverAddr !== "") out.server_addr = e.serverAddr;
  if (Object.keys(e.serverLabels).length > 0) out.server_labels = e.serverLabels;
}

/** The event as Teleport's audit log shows it. Print data and clipboard contents never appear. */
export function toAuditJson(e: AuditEvent): AuditJson {
  const out = metadata(e, teleportType(e));
  switch (e.type) {
    case EventType.DesktopRecording:
      out.message = base64(e.message);
      out.ms = e.delayMs;
      if (e.tdpbMessage !== null) out.tdpb_message = base64(e.tdpbMessage);
      break;
    case EventType.SessionPrint:
      out.ci = e.chunkIndex;
      out.bytes = e.bytes;
      out.ms = e.delayMs;
      out.offset = e.offset;
      break;
    case EventType.WindowsDesktopSessionStart:
      user(out, e);
      out.sid = e.sessionId;
      connection(out, e);
      status(out, e);
      out.windows_desktop_service = e.desktopService;
      out.desktop_addr = e.desktopAddr;
      out.windows_domain = e.domain;
      out.windows_user = e.windowsUser;
      out.desktop_labels = e.desktopLabels;
      out.desktop_name = e.desktopName;
      out.allow_user_creation = e.allowUserCreation;
      out.nla = e.nla;
      break;
    case EventType.WindowsDesktopSessionEnd:
      user(out, e);
      out.sid = e.sessionId;
      out.windows_desktop_service = e.desktopService;
      out.desktop_addr = e.desktopAddr;
      out.windows_domain = e.domain;
      out.windows_user = e.windowsUser;
      out.desktop_labels = e.desktopLabels;
      out.session_start = formatRfc3339(e.startTime);
      out.session_stop = formatRfc3339(e.endTime);
      out.desktop_name = e.desktopName;
      out.recorded = e.recorded;
      out.participants = e.participants;
      connection(out, e);
      break;
    case EventType.DesktopClipboardSend:
    case EventType.DesktopClipboardReceive:
      user(out, e);
      out.sid = e.sessionId;
      connection(out, e);
      out.desktop_addr = e.desktopAddr;
      out.length = e.length;
      out.desktop_name = e.desktopName;
      break;
    case EventType.SessionStart:
      user(out, e);
      out.sid = e.sessionId;
      server(out, e);
      connection(out, e);
      if (e.terminalSize !== "") out.size = e.terminalSize;
      if (e.initialCommand.length > 0) out.initial_command = e.initialCommand;
      if (e.sessionRecording !== "") out.session_recording = e.sessionRecording;
      break;
    case EventType.SessionEnd:
      user(out, e);
      out.sid = e.sessionId;
      connection(out, e);
      server(out, e);
      out.enhanced_recording = e.enhancedRecording;
      out.interactive = e.interactive;
      out.participants = e.participants;
      out.session_start = formatRfc3339(e.startTime);
      out.session_stop = formatRfc3339(e.endTime);
      if (e.initialCommand.length > 0) out.initial_command = e.initialCommand;
      if (e.sessionRecording !== "") out.session_recording = e.sessionRecording;
      break;
    case EventType.DesktopSharedDirectoryStart:
    case EventType.DesktopSharedDirectoryRead:
    case EventType.DesktopSharedDirectoryWrite:
      user(out, e);
      out.sid = e.sessionId;
      connection(out, e);
      status(out, e);
      out.desktop_addr = e.desktopAddr;
      out.directory_name = e.directoryName;
      out.directory_id = e.directoryId;
      if (e.type !== EventType.DesktopSharedDirectoryStart) {
        out.file_path = e.path;
        out.length = e.length;
        out.offset = e.offset;
      }
      out.desktop_name = e.desktopName;
      break;
    case "unknown":
      break;
  }
  return out;
}
