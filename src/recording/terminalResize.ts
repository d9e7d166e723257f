// Teleport's terminal `resize` event (OneOf member 9: Metadata, User, Session, Connection, Server,
// TerminalSize "cols:rows"). The recording module does not model it as a type, so it is written and read
// here as raw OneOf bytes; SSH sessions write it, import and terminal playback read it.
import protobuf from "protobufjs";
import { type AuditEvent, type UnknownEvent, blankMetadata } from "./eventTypes.ts";
import { MetadataType, toTimestamp } from "./proto.ts";

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Teleport's OneOf member number, type and code for a terminal resize (events.Resize). */
const RESIZE_ONEOF_FIELD = 9;
const RESIZE_TYPE = "resize";
const RESIZE_CODE = "T2002I";

/** Teleport writes terminal sizes as "cols:rows". */
export function formatTerminalSize(size: TerminalSize): string {
  return `${size.cols}:${size.rows}`;
}

/**
 * Teleport's `resize` event. The recording module has no Resize type and writes an unmodelled member's
 * bytes as they are, so the bytes are made when the event is encoded: after the AuditWriter (or whoever
 * writes it) has set index, time and id.
 */
export function terminalResizeEvent(who: ResizeIdentity, size: TerminalSize): UnknownEvent {
  const terminalSize = formatTerminalSize(size);
  const event: UnknownEvent = {
    ...blankMetadata(), code: RESIZE_CODE, type: "unknown", eventType: RESIZE_TYPE, oneOfField: RESIZE_ONEOF_FIELD,
    get raw(): Uint8Array {
      return encodeResize(event, who, terminalSize);
    },
  };
  return event;
}

export interface ResizeIdentity {
  user: string;
  login: string;
  sessionId: string;
  serverNamespace: string;
  serverHostname: string;
  serverAddr: string;
  localAddr: string;
  remoteAddr: string;
  protocol: string;
}

/** OneOf { Resize = 9 { Metadata=1, User=2, Session=3, Connection=4, Server=5, TerminalSize=6 } }. */
function encodeResize(meta: UnknownEvent, who: ResizeIdentity, terminalSize: string): Uint8Array {
  const body = protobuf.Writer.create();
  const field = (n: number, bytes: Uint8Array): void => {
    body.uint32((n << 3) | 2).bytes(bytes);
  };
  field(1, MetadataType.encode({
    Index: meta.index, Type: RESIZE_TYPE, ID: meta.id, Code: meta.code, Time: toTimestamp(meta.time), ClusterName: meta.clusterName,
  }).finish());
  field(2, stringsMessage([who.user, who.login]));
  field(3, stringsMessage([who.sessionId]));
  field(4, stringsMessage([who.localAddr, who.remoteAddr, who.protocol]));
  field(5, stringsMessage([who.serverNamespace, "", who.serverHostname, who.serverAddr]));
  body.uint32((6 << 3) | 2).string(terminalSize);
  const outer = protobuf.Writer.create();
  outer.uint32((RESIZE_ONEOF_FIELD << 3) | 2).bytes(body.finish());
  return outer.finish();
}

/** A message of string fields numbered 1, 2, …; empty ones are left out, as proto3 does. */
function stringsMessage(values: readonly string[]): Uint8Array {
  const writer = protobuf.Writer.create();
  values.forEach((value, i) => {
    if (value !== "") writer.uint32(((i + 1) << 3) | 2).string(value);
  });
  return writer.finish();
}

/** The terminal size a recorded resize event carries ("cols:rows"), or null when it is not one. */
export function resizeTerminalSize(event: AuditEvent): TerminalSize | null {
  if (event.type !== "unknown" || event.eventType !== RESIZE_TYPE) return null;
  try {
    const outer = protobuf.Reader.create(event.raw);
    while (outer.pos < outer.len) {
      const tag = outer.uint32();
      if (tag >>> 3 !== RESIZE_ONEOF_FIELD || (tag & 7) !== 2) {
        outer.skipType(tag & 7);
        continue;
      }
      const body = protobuf.Reader.create(outer.bytes());
      while (body.pos < body.len) {
        const inner = body.uint32();
        if (inner >>> 3 === 6 && (inner & 7) === 2) return parseTerminalSize(body.string());
        body.skipType(inner & 7);
      }
    }
  } catch {
    return null;
  }
  return null;
}

export function parseTerminalSize(text: string): TerminalSize | null {
  const match = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (!match) return null;
  return { cols: Number(match[1]), rows: Number(match[2]) };
}
