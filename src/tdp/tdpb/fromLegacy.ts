// Legacy TDP → TDPB, the way Teleport translates a legacy agent's messages for a TDPB client. Used to
// write TDPB sessions (the demo agent's --tdpb, tests) from material that exists in the legacy form.
import { MessageType as T, Severity, type TdpMessage, tileRect } from "../messages.ts";
import type { FileSystemObject, TdpbMessage } from "./messages.ts";

const fso = (f: { lastModified: bigint; size: bigint; fileType: number; isEmpty: boolean; path: string }): FileSystemObject => ({
  lastModified: f.lastModified, size: f.size, fileType: f.fileType, isEmpty: f.isEmpty, path: f.path,
});

/** The TDPB message for a legacy one, or null when TDPB has none (username, keyboard layout, MFA JSON, upgrade). */
export function fromLegacy(m: TdpMessage): TdpbMessage | null {
  switch (m.type) {
    case T.ClientScreenSpec:
      return { kind: "clientScreenSpec", width: m.width, height: m.height, scale: 100 };
    case T.PNGFrame:
    case T.PNG2Frame: {
      // TDPB rectangles are inclusive, like PNG2Frame's.
      const r = tileRect(m);
      return { kind: "pngFrame", coordinates: { left: r.left, top: r.top, right: r.right - 1, bottom: r.bottom - 1 }, data: m.png };
    }
    case T.MouseMove:
      return { kind: "mouseMove", x: m.x, y: m.y };
    case T.MouseButton:
      return { kind: "mouseButton", button: m.button + 1, pressed: m.state === 1 };
    case T.KeyboardButton:
      return { kind: "keyboardButton", keyCode: m.keyCode, pressed: m.state === 1 };
    case T.ClipboardData:
      return { kind: "clipboardData", data: m.data };
    case T.MouseWheel:
      return { kind: "mouseWheel", axis: m.axis + 1, delta: m.delta };
    case T.Error:
      return { kind: "alert", message: m.message, severity: 3 };
    case T.Alert:
      return { kind: "alert", message: m.message, severity: m.severity === Severity.Error ? 3 : m.severity === Severity.Warning ? 2 : 1 };
    case T.RDPFastPathPDU:
      return { kind: "fastPathPdu", pdu: m.data };
    case T.RDPResponsePDU:
      return { kind: "rdpResponsePdu", response: m.data };
    case T.RDPConnectionActivated:
      return {
        kind: "serverHello",
        activationSpec: { ioChannelId: m.ioChannelId, userChannelId: m.userChannelId, screenWidth: m.width, screenHeight: m.height },
        clipboardEnabled: true, directoryRemoveSupported: false, sessions: [], hidpiSupported: false,
      };
    case T.SyncKeys:
      return { kind: "syncKeys", scrollLockPressed: m.scrollLock === 1, numLockState: m.numLock === 1, capsLockState: m.capsLock === 1, kanaLockState: m.kanaLock === 1 };
    case T.LatencyStats:
      return { kind: "latencyStats", clientLatencyMs: m.clientLatency, serverLatencyMs: m.serverLatency };
    case T.Ping:
      return { kind: "ping", uuid: m.uuid };
    case T.SharedDirectoryAnnounce:
      return { kind: "sharedDirectoryAnnounce", directoryId: m.directoryId, name: m.name };
    case T.SharedDirectoryAcknowledge:
      return { kind: "sharedDirectoryAcknowledge", directoryId: m.directoryId, errorCode: m.errCode };
    case T.SharedDirectoryInfoRequest:
      return { kind: "sharedDirectoryRequest", directoryId: m.directoryId, completionId: m.completionId, operation: "info", info: { path: m.path } };
    case T.SharedDirectoryCreateRequest:
      return { kind: "sharedDirectoryRequest", directoryId: m.directoryId, completionId: m.completionId, operation: "create", create: { path: m.path, fileType: m.fileType } };
    case T.SharedDirectoryDeleteRequest:
      return { kind: "sharedDirectoryRequest", directoryId: m.directoryId, completionId: m.completionId, operation: "delete", delete: { path: m.path } };
    case T.SharedDirectoryListRequest:
      return { kind: "sharedDirectoryRequest", directoryId: m.directoryId, completionId: m.completionId, operation: "list", list: { path: m.path } };
    case T.SharedDirectoryReadRequest:
      return { kind: "sharedDirectoryRequest", directoryId: m.directoryId, completionId: m.completionId, operation: "read", read: { path: m.path, offset: m.offset, length: m.length } };
    case T.SharedDirectoryWriteRequest:
      return { kind: "sharedDirectoryRequest", directoryId: m.directoryId, completionId: m.completionId, operation: "write", write: { path: m.path, offset: m.offset, data: m.data } };
    case T.SharedDirectoryMoveRequest:
      return { kind: "sharedDirectoryRequest", directoryId: m.directoryId, completionId: m.completionId, operation: "move", move: { originalPath: m.originalPath, newPath: m.newPath } };
    case T.SharedDirectoryTruncateRequest:
      return { kind: "sharedDirectoryRequest", directoryId: m.directoryId, completionId: m.completionId, operation: "truncate", truncate: { path: m.path, size: BigInt(m.endOfFile) } };
    case T.SharedDirectoryInfoResponse:
      return { kind: "sharedDirectoryResponse", completionId: m.completionId, errorCode: m.errCode, operation: "info", info: { fso: fso(m.fso) } };
    case T.SharedDirectoryCreateResponse:
      return { kind: "sharedDirectoryResponse", completionId: m.completionId, errorCode: m.errCode, operation: "create", create: { fso: fso(m.fso) } };
    case T.SharedDirectoryDeleteResponse:
      return { kind: "sharedDirectoryResponse", completionId: m.completionId, errorCode: m.errCode, operation: "delete", delete: {} };
    case T.SharedDirectoryListResponse:
      return { kind: "sharedDirectoryResponse", completionId: m.completionId, errorCode: m.errCode, operation: "list", list: { fsoList: m.fsoList.map(fso) } };
    case T.SharedDirectoryReadResponse:
      return { kind: "sharedDirectoryResponse", completionId: m.completionId, errorCode: m.errCode, operation: "read", read: { data: m.data } };
    case T.SharedDirectoryWriteResponse:
      return { kind: "sharedDirectoryResponse", completionId: m.completionId, errorCode: m.errCode, operation: "write", write: { bytesWritten: m.bytesWritten } };
    case T.SharedDirectoryMoveResponse:
      return { kind: "sharedDirectoryResponse", completionId: m.completionId, errorCode: m.errCode, operation: "move", move: {} };
    case T.SharedDirectoryTruncateResponse:
      return { kind: "sharedDirectoryResponse", completionId: m.completionId, errorCode: m.errCode, operation: "truncate", truncate: {} };
    case T.ClientUsername:
    case T.ClientKeyboardLayout:
    case T.MFA:
    case T.TDPUpgrade:
      return null;
  }
}
