// AuditEvent ↔ OneOf protobuf bytes (the body of one record in a recording file).
import protobuf from "protobufjs";
import {
  type AuditEvent,
  type ConnectionFields,
  type EventMetadata,
  EventType,
  type ServerFields,
  type StatusFields,
  type UserFields,
} from "./eventTypes.ts";
import {
  MetadataType,
  ONEOF_FIELD_NAMES,
  OneOfType,
  type ProtoObject,
  bool,
  bytes,
  fromTimestamp,
  num,
  str,
  stringMap,
  strings,
  sub,
  toTimestamp,
} from "./proto.ts";
import { errorMessage } from "../errorMessage.ts";

/** A record that cannot be turned into an event (bad protobuf, missing member). */
export class EventDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EventDecodeError";
  }
}

// ---- encoding ----

function metadata(type: string, e: EventMetadata): ProtoObject {
  return { Index: e.index, Type: type, ID: e.id, Code: e.code, Time: toTimestamp(e.time), ClusterName: e.clusterName };
}
const user = (e: UserFields): ProtoObject => ({ User: e.user, Login: e.login });
const session = (sessionId: string): ProtoObject => ({ SessionID: sessionId });
const connection = (e: ConnectionFields): ProtoObject => ({
  LocalAddr: e.localAddr,
  RemoteAddr: e.remoteAddr,
  Protocol: e.protocol,
});
const status = (e: StatusFields): ProtoObject => ({ Success: e.success, Error: e.error, UserMessage: e.userMessage });
const server = (e: ServerFields): ProtoObject => ({
  ServerNamespace: e.serverNamespace,
  ServerID: e.serverId,
  ServerHostname: e.serverHostname,
  ServerAddr: e.serverAddr,
  ServerLabels: e.serverLabels,
});

/** The OneOf member name and message body for an event. */
function toProto(e: Exclude<AuditEvent, { type: "unknown" }>): [string, ProtoObject] {
  const Metadata = metadata(e.type, e);
  switch (e.type) {
    case EventType.DesktopRecording: {
      const body: ProtoObject = { Metadata, DelayMilliseconds: e.delayMs };
      if (e.message !== null) body.Message = e.message;
      if (e.tdpbMessage !== null) body.TDPBMessage = e.tdpbMessage;
      return ["DesktopRecording", body];
    }
    case EventType.SessionPrint:
      return [
        "SessionPrint",
        { Metadata, ChunkIndex: e.chunkIndex, Data: e.data, Bytes: e.bytes, DelayMilliseconds: e.delayMs, Offset: e.offset },
      ];
    case EventType.WindowsDesktopSessionStart:
      return [
        "WindowsDesktopSessionStart",
        {
          Metadata, User: user(e), Session: session(e.sessionId), Connection: connection(e), Status: status(e),
          WindowsDesktopService: e.desktopService, DesktopAddr: e.desktopAddr, Domain: e.domain,
          WindowsUser: e.windowsUser, DesktopLabels: e.desktopLabels, DesktopName: e.desktopName,
          AllowUserCreation: e.allowUserCreation, NLA: e.nla,
        },
      ];
    case EventType.WindowsDesktopSessionEnd:
      return [
        "WindowsDesktopSessionEnd",
        {
          Metadata, User: user(e), Session: session(e.sessionId), WindowsDesktopService: e.desktopService,
          DesktopAddr: e.desktopAddr, Domain: e.domain, WindowsUser: e.windowsUser, DesktopLabels: e.desktopLabels,
          StartTime: toTimestamp(e.startTime), EndTime: toTimestamp(e.endTime), DesktopName: e.desktopName,
          Recorded: e.recorded, Participants: e.participants, Connection: connection(e),
        },
      ];
    case EventType.DesktopClipboardSend:
    case EventType.DesktopClipboardReceive:
      return [
        e.type === EventType.DesktopClipboardSend ? "DesktopClipboardSend" : "DesktopClipboardReceive",
        {
          Metadata, User: user(e), Session: session(e.sessionId), Connection: connection(e),
          DesktopAddr: e.desktopAddr, Length: e.length, DesktopName: e.desktopName,
        },
      ];
    case EventType.SessionStart:
      return [
        "SessionStart",
        {
          Metadata, User: user(e), Session: session(e.sessionId), Server: server(e), Connection: connection(e),
          TerminalSize: e.terminalSize, InitialCommand: e.initialCommand, SessionRecording: e.sessionRecording,
        },
      ];
    case EventType.SessionEnd:
      return [
        "SessionEnd",
        {
          Metadata, User: user(e), Session: session(e.sessionId), Connection: connection(e), Server: server(e),
          EnhancedRecording: e.enhancedRecording, Interactive: e.interactive, Participants: e.participants,
          StartTime: toTimestamp(e.startTime), EndTime: toTimestamp(e.endTime), InitialCommand: e.initialCommand,
          SessionRecording: e.sessionRecording,
        },
      ];
    case EventType.DesktopSharedDirectoryStart:
      return [
        "DesktopSharedDirectoryStart",
        {
          Metadata, User: user(e), Session: session(e.sessionId), Connection: connection(e), Status: status(e),
          DesktopAddr: e.desktopAddr, DirectoryName: e.directoryName, DirectoryID: e.directoryId,
          DesktopName: e.desktopName,
        },
      ];
    case EventType.DesktopSharedDirectoryRead:
    case EventType.DesktopSharedDirectoryWrite:
      return [
        e.type === EventType.DesktopSharedDirectoryRead ? "DesktopSharedDirectoryRead" : "DesktopSharedDirectoryWrite",
        {
          Metadata, User: user(e), Session: session(e.sessionId), Connection: connection(e), Status: status(e),
          DesktopAddr: e.desktopAddr, DirectoryName: e.directoryName, DirectoryID: e.directoryId, Path: e.path,
          Length: e.length, Offset: e.offset, DesktopName: e.desktopName,
        },
      ];
  }
}

/** The OneOf bytes of an event: the body of one record in a recording file. */
export function encodeOneOf(event: AuditEvent): Uint8Array {
  if (event.type === "unknown") return event.raw;
  const [member, body] = toProto(event);
  return OneOfType.encode({ [member]: body }).finish();
}

// ---- decoding ----

function metadataOf(m: ProtoObject): EventMetadata {
  return { index: num(m, "Index"), time: fromTimestamp(m, "Time"), id: str(m, "ID"), code: str(m, "Code"), clusterName: str(m, "ClusterName") };
}
function userOf(body: ProtoObject): UserFields {
  const u = sub(body, "User");
  return { user: str(u, "User"), login: str(u, "Login") };
}
function connectionOf(body: ProtoObject): ConnectionFields {
  const c = sub(body, "Connection");
  return { localAddr: str(c, "LocalAddr"), remoteAddr: str(c, "RemoteAddr"), protocol: str(c, "Protocol") };
}
function statusOf(body: ProtoObject): StatusFields {
  const s = sub(body, "Status");
  return { success: bool(s, "Success"), error: str(s, "Error"), userMessage: str(s, "UserMessage") };
}
function serverOf(body: ProtoObject): ServerFields {
  const s = sub(body, "Server");
  return {
    serverNamespace: str(s, "ServerNamespace"), serverId: str(s, "ServerID"), serverHostname: str(s, "ServerHostname"),
    serverAddr: str(s, "ServerAddr"), serverLabels: stringMap(s, "ServerLabels"),
  };
}
const sessionIdOfBody = (body: ProtoObject): string => str(sub(body, "Session"), "SessionID");

function fromProto(member: string, body: ProtoObject): AuditEvent {
  const meta = metadataOf(sub(body, "Metadata"));
  switch (member) {
    case "DesktopRecording":
      return {
        ...meta, type: EventType.DesktopRecording, message: bytes(body, "Message"),
        tdpbMessage: bytes(body, "TDPBMessage"), delayMs: num(body, "DelayMilliseconds"),
      };
    case "SessionPrint":
      return {
        ...meta, type: EventType.SessionPrint, chunkIndex: num(body, "ChunkIndex"),
        data: bytes(body, "Data") ?? new Uint8Array(0), bytes: num(body, "Bytes"),
        delayMs: num(body, "DelayMilliseconds"), offset: num(body, "Offset"),
      };
    case "WindowsDesktopSessionStart":
      return {
        ...meta, ...userOf(body), ...connectionOf(body), ...statusOf(body), type: EventType.WindowsDesktopSessionStart,
        sessionId: sessionIdOfBody(body), desktopService: str(body, "WindowsDesktopService"),
        desktopAddr: str(body, "DesktopAddr"), domain: str(body, "Domain"), windowsUser: str(body, "WindowsUser"),
        desktopLabels: stringMap(body, "DesktopLabels"), desktopName: str(body, "DesktopName"),
        allowUserCreation: bool(body, "AllowUserCreation"), nla: bool(body, "NLA"),
      };
    case "WindowsDesktopSessionEnd":
      return {
        ...meta, ...userOf(body), ...connectionOf(body), type: EventType.WindowsDesktopSessionEnd,
        sessionId: sessionIdOfBody(body), desktopService: str(body, "WindowsDesktopService"),
        desktopAddr: str(body, "DesktopAddr"), domain: str(body, "Domain"), windowsUser: str(body, "WindowsUser"),
        desktopLabels: stringMap(body, "DesktopLabels"), startTime: fromTimestamp(body, "StartTime"),
        endTime: fromTimestamp(body, "EndTime"), desktopName: str(body, "DesktopName"),
        recorded: bool(body, "Recorded"), participants: strings(body, "Participants"),
      };
    case "DesktopClipboardSend":
    case "DesktopClipboardReceive":
      return {
        ...meta, ...userOf(body), ...connectionOf(body),
        type: member === "DesktopClipboardSend" ? EventType.DesktopClipboardSend : EventType.DesktopClipboardReceive,
        sessionId: sessionIdOfBody(body), desktopAddr: str(body, "DesktopAddr"), length: num(body, "Length"),
        desktopName: str(body, "DesktopName"),
      };
    case "SessionStart":
      return {
        ...meta, ...userOf(body), ...serverOf(body), ...connectionOf(body), type: EventType.SessionStart,
        sessionId: sessionIdOfBody(body), terminalSize: str(body, "TerminalSize"),
        initialCommand: strings(body, "InitialCommand"), sessionRecording: str(body, "SessionRecording"),
      };
    case "SessionEnd":
      return {
        ...meta, ...userOf(body), ...serverOf(body), ...connectionOf(body), type: EventType.SessionEnd,
        sessionId: sessionIdOfBody(body), enhancedRecording: bool(body, "EnhancedRecording"),
        interactive: bool(body, "Interactive"), participants: strings(body, "Participants"),
        startTime: fromTimestamp(body, "StartTime"), endTime: fromTimestamp(body, "EndTime"),
        initialCommand: strings(body, "InitialCommand"), sessionRecording: str(body, "SessionRecording"),
      };
    case "DesktopSharedDirectoryStart":
      return {
        ...meta, ...userOf(body), ...connectionOf(body), ...statusOf(body),
        type: EventType.DesktopSharedDirectoryStart, sessionId: sessionIdOfBody(body),
        desktopAddr: str(body, "DesktopAddr"), desktopName: str(body, "DesktopName"),
        directoryName: str(body, "DirectoryName"), directoryId: num(body, "DirectoryID"),
      };
    case "DesktopSharedDirectoryRead":
    case "DesktopSharedDirectoryWrite":
      return {
        ...meta, ...userOf(body), ...connectionOf(body), ...statusOf(body),
        type: member === "DesktopSharedDirectoryRead" ? EventType.DesktopSharedDirectoryRead : EventType.DesktopSharedDirectoryWrite,
        sessionId: sessionIdOfBody(body), desktopAddr: str(body, "DesktopAddr"), desktopName: str(body, "DesktopName"),
        directoryName: str(body, "DirectoryName"), directoryId: num(body, "DirectoryID"), path: str(body, "Path"),
        length: num(body, "Length"), offset: num(body, "Offset"),
      };
    default:
      throw new EventDecodeError(`OneOf member ${member} has no decoder`);
  }
}

/** Field number and body of the (single) member set in OneOf bytes; the last one wins, as in protobuf. */
function oneOfMember(record: Uint8Array): { field: number; body: Uint8Array } {
  const reader = protobuf.Reader.create(record);
  let found: { field: number; body: Uint8Array } | null = null;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === 2) {
      const body = reader.bytes();
      found = { field, body };
    } else {
      reader.skipType(wireType);
    }
  }
  if (found === null) throw new EventDecodeError("record holds no event (empty OneOf)");
  return found;
}

/** Decode one record body. Members this project does not model come back as `type: "unknown"`. */
export function decodeOneOf(record: Uint8Array): AuditEvent {
  try {
    const { field, body } = oneOfMember(record);
    const member = ONEOF_FIELD_NAMES.get(field);
    if (member !== undefined) {
      const decoded = OneOfType.decode(record) as unknown as ProtoObject;
      return fromProto(member, sub(decoded, member));
    }
    // Every Teleport event keeps its Metadata in field 1: enough to order, dedup and date it.
    const inner = protobuf.Reader.create(body);
    let meta: EventMetadata = { index: 0, time: new Date(0), id: "", code: "", clusterName: "" };
    let eventType = "";
    while (inner.pos < inner.len) {
      const tag = inner.uint32();
      if (tag >>> 3 === 1 && (tag & 7) === 2) {
        const m = MetadataType.decode(inner.bytes()) as unknown as ProtoObject;
        meta = metadataOf(m);
        eventType = str(m, "Type");
      } else {
        inner.skipType(tag & 7);
      }
    }
    return { ...meta, type: "unknown", eventType, oneOfField: field, raw: record };
  } catch (err) {
    if (err instanceof EventDecodeError) throw err;
    throw new EventDecodeError(`invalid event protobuf: ${errorMessage(err)}`, { cause: err });
  }
}
