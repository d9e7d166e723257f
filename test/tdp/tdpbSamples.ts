// One sample of every TDPB payload (all 22 Envelope members), with values that exercise each field.
import type { KnownTdpbMessage } from "../../src/tdp/tdpb/messages.ts";
import { TINY_PNG, utf8 } from "./fixtures.ts";

const fso = { lastModified: 1_700_000_000_123n, size: 0xffff_ffff_ffff_ffffn, fileType: 1, isEmpty: true, path: "docs/ü.txt" };

export const TDPB_SAMPLES: KnownTdpbMessage[] = [
  { kind: "clientHello", username: "Administrator", screenSpec: { width: 1920, height: 1080, scale: 150 }, keyboardLayout: 0x409 },
  {
    kind: "serverHello", activationSpec: { ioChannelId: 1003, userChannelId: 1007, screenWidth: 1280, screenHeight: 720 },
    clipboardEnabled: true, directoryRemoveSupported: true, sessions: [{ name: "console" }, { name: "rdp-tcp#3" }], hidpiSupported: true,
  },
  // TINY_PNG is 2x1: inclusive edges 10..11, 20..20.
  { kind: "pngFrame", coordinates: { left: 10, top: 20, right: 11, bottom: 20 }, data: TINY_PNG },
  { kind: "fastPathPdu", pdu: new Uint8Array([0x00, 0x08, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00]) },
  { kind: "rdpResponsePdu", response: new Uint8Array([1, 2, 3]) },
  { kind: "syncKeys", scrollLockPressed: true, numLockState: false, capsLockState: true, kanaLockState: false },
  { kind: "mouseMove", x: 8191, y: 0 },
  { kind: "mouseButton", button: 3, pressed: true },
  { kind: "keyboardButton", keyCode: 0x1e, pressed: false },
  { kind: "clientScreenSpec", width: 2560, height: 1440, scale: 100 },
  { kind: "alert", message: "disk almost full ⚠", severity: 2 },
  { kind: "mouseWheel", axis: 2, delta: -120 },
  { kind: "clipboardData", data: utf8("10.40.228.108") },
  { kind: "mfa", type: 1, channelId: "ch-1", challenge: new Uint8Array([0x0a, 0x02, 0x08, 0x01]), authenticationResponse: new Uint8Array(0) },
  { kind: "sharedDirectoryAnnounce", directoryId: 7, name: "share" },
  { kind: "sharedDirectoryAcknowledge", directoryId: 7, errorCode: 0 },
  { kind: "sharedDirectoryRequest", directoryId: 7, completionId: 99, operation: "write", write: { path: "a/b.txt", offset: 0x1_0000_0000n, data: utf8("hello") } },
  { kind: "sharedDirectoryResponse", completionId: 99, errorCode: 0, operation: "list", list: { fsoList: [fso, { ...fso, path: "x", isEmpty: false, size: 0n }] } },
  { kind: "latencyStats", clientLatencyMs: 12, serverLatencyMs: 34 },
  { kind: "ping", uuid: new Uint8Array(16).map((_, i) => i) },
  { kind: "sharedDirectoryRemove", directoryId: 7 },
  { kind: "sessionSelection", session: { name: "console" } },
];

/** The other operations of SharedDirectoryRequest / Response (the samples above carry one each). */
export const DIRECTORY_OPERATIONS: KnownTdpbMessage[] = [
  { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 2, operation: "info", info: { path: "p" } },
  { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 2, operation: "create", create: { path: "p", fileType: 1 } },
  { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 2, operation: "delete", delete: { path: "p" } },
  { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 2, operation: "list", list: { path: "" } },
  { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 2, operation: "read", read: { path: "p", offset: 5n, length: 4096 } },
  { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 2, operation: "move", move: { originalPath: "a", newPath: "b" } },
  { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 2, operation: "truncate", truncate: { path: "p", size: 10n } },
  { kind: "sharedDirectoryResponse", completionId: 2, errorCode: 1, operation: "info", info: { fso } },
  { kind: "sharedDirectoryResponse", completionId: 2, errorCode: 0, operation: "create", create: { fso } },
  { kind: "sharedDirectoryResponse", completionId: 2, errorCode: 0, operation: "delete", delete: {} },
  { kind: "sharedDirectoryResponse", completionId: 2, errorCode: 0, operation: "read", read: { data: utf8("data") } },
  { kind: "sharedDirectoryResponse", completionId: 2, errorCode: 0, operation: "write", write: { bytesWritten: 5 } },
  { kind: "sharedDirectoryResponse", completionId: 2, errorCode: 2, operation: "move", move: {} },
  { kind: "sharedDirectoryResponse", completionId: 2, errorCode: 0, operation: "truncate", truncate: {} },
];
