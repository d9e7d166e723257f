// TdpMessage → bytes, the mirror of decode.ts. Every value is checked as it is written, so
// encodeMessage never produces bytes that decodeMessage would reject.
import { checkScreenSize, checkTileRect } from "./checks.ts";
import { TdpEncodeError } from "./errors.ts";
import { WIRE_LIMITS as L } from "./limits.ts";
import { MessageType as T, type FileSystemObject, type TdpMessage } from "./messages.ts";
import { isMessageType } from "./names.ts";
import { ByteWriter } from "./writer.ts";

export function encodeMessage(m: TdpMessage): Uint8Array {
  const type: unknown = m.type;
  if (typeof type !== "number" || !isMessageType(type)) {
    throw new TdpEncodeError(typeof type === "number" ? type : null, 0, `unknown message type ${String(type)}`);
  }
  return encodeBody(m).finish();
}

function encodeBody(m: TdpMessage): ByteWriter {
  switch (m.type) {
    case T.ClientScreenSpec: {
      const w = new ByteWriter(m.type, 9).u8(m.type, "type").u32(m.width, "width").u32(m.height, "height");
      checkScreenSize(w, m.width, m.height, 1);
      return w;
    }
    case T.PNGFrame: {
      const w = new ByteWriter(m.type, 17 + m.png.length).u8(m.type, "type");
      checkTileRect(w, m);
      w.u32(m.left, "left").u32(m.top, "top").u32(m.right, "right").u32(m.bottom, "bottom");
      w.checkLength("png", m.png.length, L.maxPng);
      return w.raw(m.png, "png");
    }
    case T.MouseMove:
      return new ByteWriter(m.type, 9).u8(m.type, "type").u32(m.x, "x").u32(m.y, "y");
    case T.MouseButton:
      return new ByteWriter(m.type, 3).u8(m.type, "type").u8Enum(m.button, "button", 2).u8Enum(m.state, "state", 1);
    case T.KeyboardButton:
      return new ByteWriter(m.type, 6).u8(m.type, "type").u32(m.keyCode, "key_code").u8Enum(m.state, "state", 1);
    case T.ClipboardData:
      return new ByteWriter(m.type, 5 + m.data.length).u8(m.type, "type").sized(m.data, "data", L.maxClipboard);
    case T.ClientUsername:
      return new ByteWriter(m.type).u8(m.type, "type").string(m.username, "username", L.maxUsername);
    case T.MouseWheel:
      return new ByteWriter(m.type, 4).u8(m.type, "type").u8Enum(m.axis, "axis", 1).i16(m.delta, "delta");
    case T.Error:
      return new ByteWriter(m.type).u8(m.type, "type").string(m.message, "message", L.maxError);
    case T.MFA: {
      const w = new ByteWriter(m.type).u8(m.type, "type");
      if (m.mfaType !== "n" && m.mfaType !== "u") w.fail(`mfa_type ${JSON.stringify(m.mfaType)} is not "n" or "u"`);
      w.u8(m.mfaType.charCodeAt(0), "mfa_type");
      if (m.json.length === 0) w.fail("json is empty");
      return w.string(m.json, "json", L.maxMfaJson);
    }
    case T.SharedDirectoryAnnounce:
      return new ByteWriter(m.type)
        .u8(m.type, "type")
        .u32(0, "discard")
        .u32(m.directoryId, "directory_id")
        .string(m.name, "name", L.maxDirectoryName);
    case T.SharedDirectoryAcknowledge:
      return new ByteWriter(m.type, 9).u8(m.type, "type").u32(m.errCode, "err_code").u32(m.directoryId, "directory_id");
    case T.SharedDirectoryInfoRequest:
    case T.SharedDirectoryDeleteRequest:
    case T.SharedDirectoryListRequest:
      return new ByteWriter(m.type)
        .u8(m.type, "type")
        .u32(m.completionId, "completion_id")
        .u32(m.directoryId, "directory_id")
        .string(m.path, "path", L.maxPath);
    case T.SharedDirectoryInfoResponse:
    case T.SharedDirectoryCreateResponse:
      return writeFso(
        new ByteWriter(m.type).u8(m.type, "type").u32(m.completionId, "completion_id").u32(m.errCode, "err_code"),
        m.fso,
      );
    case T.SharedDirectoryCreateRequest:
      return new ByteWriter(m.type)
        .u8(m.type, "type")
        .u32(m.completionId, "completion_id")
        .u32(m.directoryId, "directory_id")
        .u32(m.fileType, "file_type")
        .string(m.path, "path", L.maxPath);
    case T.SharedDirectoryDeleteResponse:
    case T.SharedDirectoryMoveResponse:
    case T.SharedDirectoryTruncateResponse:
      return new ByteWriter(m.type, 9).u8(m.type, "type").u32(m.completionId, "completion_id").u32(m.errCode, "err_code");
    case T.SharedDirectoryReadRequest:
      return new ByteWriter(m.type)
        .u8(m.type, "type")
        .u32(m.completionId, "completion_id")
        .u32(m.directoryId, "directory_id")
        .string(m.path, "path", L.maxPath)
        .u64(m.offset, "offset")
        .u32(m.length, "length");
    case T.SharedDirectoryReadResponse:
      return new ByteWriter(m.type, 13 + m.data.length)
        .u8(m.type, "type")
        .u32(m.completionId, "completion_id")
        .u32(m.errCode, "err_code")
        .sized(m.data, "read_data", L.maxFileData);
    case T.SharedDirectoryWriteRequest:
      // Offset comes before the path here, unlike ReadRequest.
      return new ByteWriter(m.type)
        .u8(m.type, "type")
        .u32(m.completionId, "completion_id")
        .u32(m.directoryId, "directory_id")
        .u64(m.offset, "offset")
        .string(m.path, "path", L.maxPath)
        .sized(m.data, "write_data", L.maxFileData);
    case T.SharedDirectoryWriteResponse:
      return new ByteWriter(m.type, 13)
        .u8(m.type, "type")
        .u32(m.completionId, "completion_id")
        .u32(m.errCode, "err_code")
        .u32(m.bytesWritten, "bytes_written");
    case T.SharedDirectoryMoveRequest:
      return new ByteWriter(m.type)
        .u8(m.type, "type")
        .u32(m.completionId, "completion_id")
        .u32(m.directoryId, "directory_id")
        .string(m.originalPath, "original_path", L.maxPath)
        .string(m.newPath, "new_path", L.maxPath);
    case T.SharedDirectoryListResponse: {
      const w = new ByteWriter(m.type)
        .u8(m.type, "type")
        .u32(m.completionId, "completion_id")
        .u32(m.errCode, "err_code")
        .u32(m.fsoList.length, "fso_list_length");
      for (const fso of m.fsoList) writeFso(w, fso);
      return w;
    }
    case T.PNG2Frame: {
      const w = new ByteWriter(m.type, 21 + m.png.length).u8(m.type, "type");
      checkTileRect(w, m);
      w.checkLength("png", m.png.length, L.maxPng);
      return w
        .u32(m.png.length, "png_length")
        .u32(m.left, "left")
        .u32(m.top, "top")
        .u32(m.right, "right")
        .u32(m.bottom, "bottom")
        .raw(m.png, "png");
    }
    case T.Alert:
      return new ByteWriter(m.type)
        .u8(m.type, "type")
        .string(m.message, "message", L.maxAlert)
        .u8Enum(m.severity, "severity", 2);
    case T.RDPFastPathPDU:
    case T.RDPResponsePDU:
      return new ByteWriter(m.type, 5 + m.data.length).u8(m.type, "type").sized(m.data, "data", L.maxRdpPdu);
    case T.RDPConnectionActivated:
      return new ByteWriter(m.type, 9)
        .u8(m.type, "type")
        .u16(m.ioChannelId, "io_channel_id")
        .u16(m.userChannelId, "user_channel_id")
        .u16(m.width, "screen_width")
        .u16(m.height, "screen_height");
    case T.SyncKeys:
      return new ByteWriter(m.type, 5)
        .u8(m.type, "type")
        .u8(m.scrollLock, "scroll_lock_state")
        .u8(m.numLock, "num_lock_state")
        .u8(m.capsLock, "caps_lock_state")
        .u8(m.kanaLock, "kana_lock_state");
    case T.SharedDirectoryTruncateRequest:
      return new ByteWriter(m.type)
        .u8(m.type, "type")
        .u32(m.completionId, "completion_id")
        .u32(m.directoryId, "directory_id")
        .string(m.path, "path", L.maxPath)
        .u32(m.endOfFile, "end_of_file");
    case T.LatencyStats:
      return new ByteWriter(m.type, 9)
        .u8(m.type, "type")
        .u32(m.clientLatency, "client_latency")
        .u32(m.serverLatency, "server_latency");
    case T.Ping:
      return new ByteWriter(m.type, 17).u8(m.type, "type").raw(m.uuid, "uuid", 16);
    case T.ClientKeyboardLayout:
      return new ByteWriter(m.type, 9).u8(m.type, "type").u32(4, "length").u32(m.layout, "keyboard_layout");
    case T.TDPUpgrade:
      return new ByteWriter(m.type, 1).u8(m.type, "type");
  }
}

function writeFso(w: ByteWriter, fso: FileSystemObject): ByteWriter {
  if (typeof fso.isEmpty !== "boolean") w.fail("is_empty is not a boolean");
  return w
    .u64(fso.lastModified, "last_modified")
    .u64(fso.size, "size")
    .u32(fso.fileType, "file_type")
    .u8(fso.isEmpty ? 1 : 0, "is_empty")
    .string(fso.path, "path", L.maxPath);
}
