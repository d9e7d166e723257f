// Bytes → TdpMessage for every legacy TDP type (1–38). Layouts follow docs/tdp.md and, for the
// shared-directory messages it leaves out, Teleport's legacy/proto.go.
import { checkScreenSize, checkTileRect } from "./checks.ts";
import { TdpDecodeError } from "./errors.ts";
import { WIRE_LIMITS as L } from "./limits.ts";
import { MessageType as T, type FileSystemObject, type TdpMessage } from "./messages.ts";
import { isMessageType } from "./names.ts";
import { ByteReader } from "./reader.ts";

/**
 * Decodes one legacy TDP message (one WebSocket frame). Byte payloads (PNG, clipboard, file data,
 * PDUs, UUID) are views into `buf`, not copies: do not reuse `buf` while the message is alive.
 */
export function decodeMessage(buf: Uint8Array): TdpMessage {
  if (buf.length === 0) throw new TdpDecodeError(null, 0, "empty buffer");
  const type = buf[0];
  if (type === 0) {
    throw new TdpDecodeError(0, 0, "first byte 0x00 is TDPB framing (u32 length + protobuf Envelope), not legacy TDP");
  }
  if (!isMessageType(type)) throw new TdpDecodeError(type, 0, `unknown message type ${type}`);
  const r = new ByteReader(buf, type);
  r.pos = 1;
  const message = decodeBody(r, type);
  r.end();
  return message;
}

function decodeBody(r: ByteReader, type: T): TdpMessage {
  switch (type) {
    case T.ClientScreenSpec: {
      const width = r.u32("width");
      const height = r.u32("height");
      checkScreenSize(r, width, height, 1);
      return { type, width, height };
    }
    case T.PNGFrame: {
      const left = r.u32("left");
      const top = r.u32("top");
      const right = r.u32("right");
      const bottom = r.u32("bottom");
      const at = r.pos;
      const png = r.rest();
      r.checkLength("png", png.length, L.maxPng, at);
      const m = { type, left, top, right, bottom, png };
      checkTileRect(r, m);
      return m;
    }
    case T.MouseMove:
      return { type, x: r.u32("x"), y: r.u32("y") };
    case T.MouseButton:
      return { type, button: r.u8Enum("button", 2), state: r.u8Enum("state", 1) };
    case T.KeyboardButton:
      return { type, keyCode: r.u32("key_code"), state: r.u8Enum("state", 1) };
    case T.ClipboardData:
      return { type, data: r.sized("data", L.maxClipboard) };
    case T.ClientUsername:
      return { type, username: r.string("username", L.maxUsername) };
    case T.MouseWheel:
      return { type, axis: r.u8Enum("axis", 1), delta: r.i16("delta") };
    case T.Error:
      return { type, message: r.string("message", L.maxError) };
    case T.MFA: {
      const mfaType = String.fromCharCode(r.u8("mfa_type"));
      if (mfaType !== "n" && mfaType !== "u") r.fail(`mfa_type ${JSON.stringify(mfaType)} is not "n" or "u"`, 1);
      const json = r.string("json", L.maxMfaJson);
      if (json.length === 0) r.fail("json is empty", 2);
      return { type, mfaType, json };
    }
    case T.SharedDirectoryAnnounce: {
      if (r.u32("discard") !== 0) r.fail("discard field must be 0", 1);
      return { type, directoryId: r.u32("directory_id"), name: r.string("name", L.maxDirectoryName) };
    }
    case T.SharedDirectoryAcknowledge:
      return { type, errCode: r.u32("err_code"), directoryId: r.u32("directory_id") };
    case T.SharedDirectoryInfoRequest:
    case T.SharedDirectoryDeleteRequest:
    case T.SharedDirectoryListRequest:
      return { type, completionId: r.u32("completion_id"), directoryId: r.u32("directory_id"), path: readPath(r) };
    case T.SharedDirectoryInfoResponse:
    case T.SharedDirectoryCreateResponse:
      return { type, completionId: r.u32("completion_id"), errCode: r.u32("err_code"), fso: readFso(r) };
    case T.SharedDirectoryCreateRequest:
      return {
        type,
        completionId: r.u32("completion_id"),
        directoryId: r.u32("directory_id"),
        fileType: r.u32("file_type"),
        path: readPath(r),
      };
    case T.SharedDirectoryDeleteResponse:
    case T.SharedDirectoryMoveResponse:
    case T.SharedDirectoryTruncateResponse:
      return { type, completionId: r.u32("completion_id"), errCode: r.u32("err_code") };
    case T.SharedDirectoryReadRequest:
      return {
        type,
        completionId: r.u32("completion_id"),
        directoryId: r.u32("directory_id"),
        path: readPath(r),
        offset: r.u64("offset"),
        length: r.u32("length"),
      };
    case T.SharedDirectoryReadResponse:
      return {
        type,
        completionId: r.u32("completion_id"),
        errCode: r.u32("err_code"),
        data: r.sized("read_data", L.maxFileData),
      };
    case T.SharedDirectoryWriteRequest:
      // Offset comes before the path here, unlike ReadRequest.
      return {
        type,
        completionId: r.u32("completion_id"),
        directoryId: r.u32("directory_id"),
        offset: r.u64("offset"),
        path: readPath(r),
        data: r.sized("write_data", L.maxFileData),
      };
    case T.SharedDirectoryWriteResponse:
      return { type, completionId: r.u32("completion_id"), errCode: r.u32("err_code"), bytesWritten: r.u32("bytes_written") };
    case T.SharedDirectoryMoveRequest:
      return {
        type,
        completionId: r.u32("completion_id"),
        directoryId: r.u32("directory_id"),
        originalPath: r.string("original_path", L.maxPath),
        newPath: r.string("new_path", L.maxPath),
      };
    case T.SharedDirectoryListResponse: {
      const completionId = r.u32("completion_id");
      const errCode = r.u32("err_code");
      const count = r.u32("fso_list_length");
      const fsoList: FileSystemObject[] = [];
      for (let i = 0; i < count; i++) fsoList.push(readFso(r));
      return { type, completionId, errCode, fsoList };
    }
    case T.PNG2Frame: {
      const pngLength = r.u32("png_length");
      r.checkLength("png", pngLength, L.maxPng, 1);
      const left = r.u32("left");
      const top = r.u32("top");
      const right = r.u32("right");
      const bottom = r.u32("bottom");
      const m = { type, left, top, right, bottom, png: r.bytes(pngLength, "png") };
      checkTileRect(r, m);
      return m;
    }
    case T.Alert:
      // The length prefix covers the message only; severity follows it.
      return { type, message: r.string("message", L.maxAlert), severity: r.u8Enum("severity", 2) };
    case T.RDPFastPathPDU:
    case T.RDPResponsePDU:
      return { type, data: r.sized("data", L.maxRdpPdu) };
    case T.RDPConnectionActivated:
      return {
        type,
        ioChannelId: r.u16("io_channel_id"),
        userChannelId: r.u16("user_channel_id"),
        width: r.u16("screen_width"),
        height: r.u16("screen_height"),
      };
    case T.SyncKeys:
      return {
        type,
        scrollLock: r.u8("scroll_lock_state"),
        numLock: r.u8("num_lock_state"),
        capsLock: r.u8("caps_lock_state"),
        kanaLock: r.u8("kana_lock_state"),
      };
    case T.SharedDirectoryTruncateRequest:
      return {
        type,
        completionId: r.u32("completion_id"),
        directoryId: r.u32("directory_id"),
        path: readPath(r),
        endOfFile: r.u32("end_of_file"),
      };
    case T.LatencyStats:
      return { type, clientLatency: r.u32("client_latency"), serverLatency: r.u32("server_latency") };
    case T.Ping:
      return { type, uuid: r.bytes(16, "uuid") };
    case T.ClientKeyboardLayout: {
      // RFD 0037 omits this length; Teleport's code writes it and requires 4.
      const length = r.u32("length");
      if (length !== 4) r.fail(`length ${length} must be 4`, 1);
      return { type, layout: r.u32("keyboard_layout") };
    }
    case T.TDPUpgrade:
      return { type };
  }
}

function readPath(r: ByteReader): string {
  return r.string("path", L.maxPath);
}

function readFso(r: ByteReader): FileSystemObject {
  return {
    lastModified: r.u64("last_modified"),
    size: r.u64("size"),
    fileType: r.u32("file_type"),
    isEmpty: r.u8Enum("is_empty", 1) === 1,
    path: readPath(r),
  };
}
