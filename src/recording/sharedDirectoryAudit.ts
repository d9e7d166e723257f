// Turns shared-directory ("file transfer") TDP exchanges into Teleport's audit events, pairing each
// response with the request or announcement it answers, as Teleport's desktop audit does.
import { type TdpMessage, MessageType } from "../tdp/messages.ts";
import {
  type ConnectionFields,
  type DesktopSharedDirectoryIoEvent,
  type DesktopSharedDirectoryStartEvent,
  EventCode,
  EventType,
  type UserFields,
  blankMetadata,
} from "./eventTypes.ts";

export interface SharedDirectoryContext extends UserFields, ConnectionFields {
  sessionId: string;
  desktopAddr: string;
  desktopName: string;
}

interface PendingIo {
  directoryId: number;
  path: string;
  offset: number;
  length: number;
}

// A desktop could announce endlessly; the maps must not grow without bound.
const MAX_PENDING = 4096;

const FS_OK = 0;

export class SharedDirectoryAudit {
  private readonly names = new Map<number, string>();
  private readonly reads = new Map<number, PendingIo>();
  private readonly writes = new Map<number, PendingIo>();

  constructor(private readonly ctx: SharedDirectoryContext) {}

  /** The audit event this message completes, if any. */
  observe(m: TdpMessage): DesktopSharedDirectoryStartEvent | DesktopSharedDirectoryIoEvent | null {
    switch (m.type) {
      case MessageType.SharedDirectoryAnnounce:
        remember(this.names, m.directoryId, m.name);
        return null;
      case MessageType.SharedDirectoryAcknowledge: {
        const ok = m.errCode === FS_OK;
        return {
          ...this.base(m.directoryId, ok, `directory sharing failed with error code ${m.errCode}`),
          type: EventType.DesktopSharedDirectoryStart,
          code: ok ? EventCode.DesktopSharedDirectoryStart : EventCode.DesktopSharedDirectoryStartFailure,
        };
      }
      case MessageType.SharedDirectoryReadRequest:
        remember(this.reads, m.completionId, { directoryId: m.directoryId, path: m.path, offset: Number(m.offset), length: m.length });
        return null;
      case MessageType.SharedDirectoryReadResponse: {
        const request = take(this.reads, m.completionId);
        if (request === undefined) return null;
        const ok = m.errCode === FS_OK;
        return {
          ...this.base(request.directoryId, ok, `read failed with error code ${m.errCode}`),
          type: EventType.DesktopSharedDirectoryRead,
          code: ok ? EventCode.DesktopSharedDirectoryRead : EventCode.DesktopSharedDirectoryReadFailure,
          path: request.path, offset: request.offset, length: m.data.length,
        };
      }
      case MessageType.SharedDirectoryWriteRequest:
        remember(this.writes, m.completionId, { directoryId: m.directoryId, path: m.path, offset: Number(m.offset), length: m.data.length });
        return null;
      case MessageType.SharedDirectoryWriteResponse: {
        const request = take(this.writes, m.completionId);
        if (request === undefined) return null;
        const ok = m.errCode === FS_OK;
        return {
          ...this.base(request.directoryId, ok, `write failed with error code ${m.errCode}`),
          type: EventType.DesktopSharedDirectoryWrite,
          code: ok ? EventCode.DesktopSharedDirectoryWrite : EventCode.DesktopSharedDirectoryWriteFailure,
          path: request.path, offset: request.offset, length: request.length,
        };
      }
      default:
        return null;
    }
  }

  private base(directoryId: number, success: boolean, failure: string) {
    const c = this.ctx;
    return {
      ...blankMetadata(),
      user: c.user, login: c.login, sessionId: c.sessionId,
      localAddr: c.localAddr, remoteAddr: c.remoteAddr, protocol: c.protocol,
      success, error: success ? "" : failure, userMessage: "",
      desktopAddr: c.desktopAddr, desktopName: c.desktopName,
      directoryName: this.names.get(directoryId) ?? "", directoryId,
    };
  }
}

function remember<V>(map: Map<number, V>, key: number, value: V): void {
  if (map.size >= MAX_PENDING && !map.has(key)) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(key, value);
}

function take<V>(map: Map<number, V>, key: number): V | undefined {
  const value = map.get(key);
  map.delete(key);
  return value;
}
