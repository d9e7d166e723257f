// TDPB → the legacy message model (tdp/messages.ts), so markers, audit, recording rules and the video
// side have one message model for all three eras. ServerHello becomes 31 RDPConnectionActivated,
// FastPathPDU 29, PNGFrame a PNG tile (27 with inclusive edges, or 2 when the PNG's size says the
// producer wrote exclusive ones). Payloads with no legacy counterpart map to nothing.
import { TdpCodecError } from "../errors.ts";
import {
  ButtonState, type FileSystemObject as LegacyFso, MessageType as T, Severity, type TdpMessage, WheelAxis,
  type PNG2Frame as LegacyPNG2Frame, type PNGFrame as LegacyPNGFrame,
} from "../messages.ts";
import { pngInfo } from "../png.ts";
import { TdpbDecodeError } from "./errors.ts";
import { type FileSystemObject, type PNGFrame, TDPB_HEADER_BYTES, type TdpbMessage, TdpbSeverity } from "./messages.ts";

const state = (pressed: boolean): ButtonState => (pressed ? ButtonState.Down : ButtonState.Up);
const flag = (on: boolean): number => (on ? 1 : 0);

export function toLegacy(m: TdpbMessage): TdpMessage[] {
  switch (m.kind) {
    case "clientHello": {
      const out: TdpMessage[] = [{ type: T.ClientUsername, username: m.username }];
      if (m.screenSpec) out.push({ type: T.ClientScreenSpec, width: m.screenSpec.width, height: m.screenSpec.height });
      out.push({ type: T.ClientKeyboardLayout, layout: m.keyboardLayout });
      return out;
    }
    case "serverHello": {
      const a = m.activationSpec;
      if (!a) return [];
      return [{ type: T.RDPConnectionActivated, ioChannelId: a.ioChannelId, userChannelId: a.userChannelId, width: a.screenWidth, height: a.screenHeight }];
    }
    case "pngFrame":
      return [tile(m)];
    case "fastPathPdu":
      return [{ type: T.RDPFastPathPDU, data: m.pdu }];
    case "rdpResponsePdu":
      return [{ type: T.RDPResponsePDU, data: m.response }];
    case "syncKeys":
      return [{ type: T.SyncKeys, scrollLock: flag(m.scrollLockPressed), numLock: flag(m.numLockState), capsLock: flag(m.capsLockState), kanaLock: flag(m.kanaLockState) }];
    case "mouseMove":
      return [{ type: T.MouseMove, x: m.x, y: m.y }];
    case "mouseButton":
      return [{ type: T.MouseButton, button: m.button - 1, state: state(m.pressed) }];
    case "keyboardButton":
      return [{ type: T.KeyboardButton, keyCode: m.keyCode, state: state(m.pressed) }];
    case "clientScreenSpec":
      return [{ type: T.ClientScreenSpec, width: m.width, height: m.height }];
    case "alert":
      return [{ type: T.Alert, message: m.message, severity: severity(m.severity) }];
    case "mouseWheel":
      return [{ type: T.MouseWheel, axis: m.axis === 2 ? WheelAxis.Horizontal : WheelAxis.Vertical, delta: Math.max(-0x8000, Math.min(0x7fff, m.delta)) }];
    case "clipboardData":
      return [{ type: T.ClipboardData, data: m.data }];
    case "sharedDirectoryAnnounce":
      return [{ type: T.SharedDirectoryAnnounce, directoryId: m.directoryId, name: m.name }];
    case "sharedDirectoryAcknowledge":
      return [{ type: T.SharedDirectoryAcknowledge, errCode: m.errorCode, directoryId: m.directoryId }];
    case "sharedDirectoryRequest": {
      const ids = { completionId: m.completionId, directoryId: m.directoryId };
      switch (m.operation) {
        case "info": return [{ type: T.SharedDirectoryInfoRequest, ...ids, path: m.info.path }];
        case "create": return [{ type: T.SharedDirectoryCreateRequest, ...ids, fileType: m.create.fileType, path: m.create.path }];
        case "delete": return [{ type: T.SharedDirectoryDeleteRequest, ...ids, path: m.delete.path }];
        case "list": return [{ type: T.SharedDirectoryListRequest, ...ids, path: m.list.path }];
        case "read": return [{ type: T.SharedDirectoryReadRequest, ...ids, path: m.read.path, offset: m.read.offset, length: m.read.length }];
        case "write": return [{ type: T.SharedDirectoryWriteRequest, ...ids, offset: m.write.offset, path: m.write.path, data: m.write.data }];
        case "move": return [{ type: T.SharedDirectoryMoveRequest, ...ids, originalPath: m.move.originalPath, newPath: m.move.newPath }];
        // Legacy carries the new end of file as u32.
        case "truncate": return [{ type: T.SharedDirectoryTruncateRequest, ...ids, path: m.truncate.path, endOfFile: Number(m.truncate.size > 0xffff_ffffn ? 0xffff_ffffn : m.truncate.size) }];
      }
      return [];
    }
    case "sharedDirectoryResponse": {
      const ids = { completionId: m.completionId, errCode: m.errorCode };
      switch (m.operation) {
        case "info": return [{ type: T.SharedDirectoryInfoResponse, ...ids, fso: fso(m.info.fso) }];
        case "create": return [{ type: T.SharedDirectoryCreateResponse, ...ids, fso: fso(m.create.fso) }];
        case "delete": return [{ type: T.SharedDirectoryDeleteResponse, ...ids }];
        case "list": return [{ type: T.SharedDirectoryListResponse, ...ids, fsoList: m.list.fsoList.map(fso) }];
        case "read": return [{ type: T.SharedDirectoryReadResponse, ...ids, data: m.read.data }];
        case "write": return [{ type: T.SharedDirectoryWriteResponse, ...ids, bytesWritten: m.write.bytesWritten }];
        case "move": return [{ type: T.SharedDirectoryMoveResponse, ...ids }];
        case "truncate": return [{ type: T.SharedDirectoryTruncateResponse, ...ids }];
      }
      return [];
    }
    case "latencyStats":
      return [{ type: T.LatencyStats, clientLatency: m.clientLatencyMs, serverLatency: m.serverLatencyMs }];
    case "ping":
      return [{ type: T.Ping, uuid: m.uuid }];
    // Legacy MFA carries JSON, TDPB protobuf; neither is ever recorded, so nothing is lost.
    case "mfa":
    case "sharedDirectoryRemove":
    case "sessionSelection":
    case "unknown":
      return [];
  }
}

function severity(s: TdpbSeverity): Severity {
  if (s === TdpbSeverity.Error) return Severity.Error;
  return s === TdpbSeverity.Warning ? Severity.Warning : Severity.Info;
}

function fso(f: FileSystemObject | null): LegacyFso {
  if (!f) throw new TdpbDecodeError("sharedDirectoryResponse", TDPB_HEADER_BYTES, "fso missing");
  return { lastModified: f.lastModified, size: f.size, fileType: f.fileType, isEmpty: f.isEmpty, path: f.path };
}

/**
 * The PNG's own size (IHDR, read without inflating) decides the edges: inclusive, as Teleport writes
 * them from PNG2Frame, or exclusive, as its translation of legacy PNGFrame does. Anything else is bad input.
 */
function tile(m: PNGFrame): LegacyPNGFrame | LegacyPNG2Frame {
  const c = m.coordinates;
  if (!c) throw new TdpbDecodeError("pngFrame", TDPB_HEADER_BYTES, "coordinates missing");
  let info;
  try {
    info = pngInfo(m.data);
  } catch (err) {
    throw new TdpbDecodeError("pngFrame", TDPB_HEADER_BYTES, err instanceof TdpCodecError ? err.reason : String(err));
  }
  const w = c.right - c.left;
  const h = c.bottom - c.top;
  const rect = { left: c.left, top: c.top, right: c.right, bottom: c.bottom, png: m.data };
  if (info.width === w + 1 && info.height === h + 1) return { type: T.PNG2Frame, ...rect };
  if (info.width === w && info.height === h) return { type: T.PNGFrame, ...rect };
  throw new TdpbDecodeError(
    "pngFrame", TDPB_HEADER_BYTES,
    `PNG is ${info.width}x${info.height} but the coordinates cover ${w + 1}x${h + 1} (inclusive edges)`,
  );
}
