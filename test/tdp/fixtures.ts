// One sample of every legacy TDP type (1–38) with its wire bytes written out by hand from the layout
// tables (docs/tdp.md; Teleport's legacy/proto.go for the shared-directory messages), independent of the encoder.
import { expect } from "bun:test";
import { MessageType as T, type FileSystemObject, type TdpMessage } from "../../src/tdp/messages.ts";

export const u8 = (...values: number[]): number[] => values;
export const be16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
export const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const be64 = (v: bigint): number[] => [...be32(Number(v >> 32n)), ...be32(Number(v & 0xffff_ffffn))];
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
/** `u32 byte_length | UTF-8` */
export const str = (s: string): number[] => {
  const b = utf8(s);
  return [...be32(b.length), ...b];
};
/** Runs `fn`, which must throw an instance of `kind`, and returns the error for further checks. */
export function thrown<E extends Error>(kind: new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(kind);
    return err as E;
  }
  throw new Error(`expected a ${kind.name}, none was thrown`);
}

export const wire = (...parts: Array<number[] | Uint8Array>): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => [...p]));

/** A tiny but real 2x1 RGB PNG (signature, IHDR, IDAT, IEND), enough for codec round trips. */
export const TINY_PNG = new Uint8Array(
  Buffer.from(
    "89504e470d0a1a0a0000000d49484452000000020000000108020000007b40e8dd0000000f49444154789c63f8cfc0c0f09f010007ff01ff017f89a70000000049454e44ae426082",
    "hex",
  ),
);

const fsoA: FileSystemObject = {
  lastModified: 1_700_000_000_123n,
  size: 0xffff_ffff_ffff_ffffn,
  fileType: 1,
  isEmpty: true,
  path: "docs/résumé ✓.txt",
};
const fsoB: FileSystemObject = { lastModified: 0n, size: 4096n, fileType: 0, isEmpty: false, path: "a" };
const fsoWire = (f: FileSystemObject): number[] => [
  ...be64(f.lastModified),
  ...be64(f.size),
  ...be32(f.fileType),
  f.isEmpty ? 1 : 0,
  ...str(f.path),
];

const uuid = new Uint8Array([...Array(16).keys()].map((i) => i * 17));
const clip = utf8("10.40.228.108");
const rdp = new Uint8Array([0x00, 0x84, 0x12, 0xde, 0xad, 0xbe, 0xef]);

export interface Fixture {
  message: TdpMessage;
  wire: Uint8Array;
}

export const FIXTURES: Fixture[] = [
  { message: { type: T.ClientScreenSpec, width: 1280, height: 720 }, wire: wire(u8(1), be32(1280), be32(720)) },
  {
    message: { type: T.PNGFrame, left: 64, top: 128, right: 66, bottom: 129, png: TINY_PNG },
    wire: wire(u8(2), be32(64), be32(128), be32(66), be32(129), TINY_PNG),
  },
  { message: { type: T.MouseMove, x: 1279, y: 0xffff_ffff }, wire: wire(u8(3), be32(1279), be32(0xffff_ffff)) },
  { message: { type: T.MouseButton, button: 2, state: 1 }, wire: wire(u8(4, 2, 1)) },
  { message: { type: T.KeyboardButton, keyCode: 0x1e, state: 0 }, wire: wire(u8(5), be32(0x1e), u8(0)) },
  { message: { type: T.ClipboardData, data: clip }, wire: wire(u8(6), be32(clip.length), clip) },
  { message: { type: T.ClientUsername, username: "Администратор" }, wire: wire(u8(7), str("Администратор")) },
  { message: { type: T.MouseWheel, axis: 1, delta: -120 }, wire: wire(u8(8, 1), be16(-120 & 0xffff)) },
  { message: { type: T.Error, message: "RDP connection failed" }, wire: wire(u8(9), str("RDP connection failed")) },
  {
    message: { type: T.MFA, mfaType: "n", json: '{"webauthn_challenge":{}}' },
    wire: wire(u8(10, 0x6e), str('{"webauthn_challenge":{}}')),
  },
  {
    message: { type: T.SharedDirectoryAnnounce, directoryId: 7, name: "shared" },
    wire: wire(u8(11), be32(0), be32(7), str("shared")),
  },
  {
    message: { type: T.SharedDirectoryAcknowledge, errCode: 0, directoryId: 7 },
    wire: wire(u8(12), be32(0), be32(7)),
  },
  {
    message: { type: T.SharedDirectoryInfoRequest, completionId: 1, directoryId: 7, path: "docs" },
    wire: wire(u8(13), be32(1), be32(7), str("docs")),
  },
  {
    message: { type: T.SharedDirectoryInfoResponse, completionId: 1, errCode: 0, fso: fsoA },
    wire: wire(u8(14), be32(1), be32(0), fsoWire(fsoA)),
  },
  {
    message: { type: T.SharedDirectoryCreateRequest, completionId: 2, directoryId: 7, fileType: 1, path: "new dir" },
    wire: wire(u8(15), be32(2), be32(7), be32(1), str("new dir")),
  },
  {
    message: { type: T.SharedDirectoryCreateResponse, completionId: 2, errCode: 3, fso: fsoB },
    wire: wire(u8(16), be32(2), be32(3), fsoWire(fsoB)),
  },
  {
    message: { type: T.SharedDirectoryDeleteRequest, completionId: 3, directoryId: 7, path: "old.txt" },
    wire: wire(u8(17), be32(3), be32(7), str("old.txt")),
  },
  {
    message: { type: T.SharedDirectoryDeleteResponse, completionId: 3, errCode: 2 },
    wire: wire(u8(18), be32(3), be32(2)),
  },
  {
    message: { type: T.SharedDirectoryReadRequest, completionId: 4, directoryId: 7, path: "big.bin", offset: 1n << 40n, length: 65536 },
    wire: wire(u8(19), be32(4), be32(7), str("big.bin"), be64(1n << 40n), be32(65536)),
  },
  {
    message: { type: T.SharedDirectoryReadResponse, completionId: 4, errCode: 0, data: rdp },
    wire: wire(u8(20), be32(4), be32(0), be32(rdp.length), rdp),
  },
  {
    message: { type: T.SharedDirectoryWriteRequest, completionId: 5, directoryId: 7, offset: 4096n, path: "out.log", data: clip },
    wire: wire(u8(21), be32(5), be32(7), be64(4096n), str("out.log"), be32(clip.length), clip),
  },
  {
    message: { type: T.SharedDirectoryWriteResponse, completionId: 5, errCode: 0, bytesWritten: clip.length },
    wire: wire(u8(22), be32(5), be32(0), be32(clip.length)),
  },
  {
    message: { type: T.SharedDirectoryMoveRequest, completionId: 6, directoryId: 7, originalPath: "a.txt", newPath: "b/a.txt" },
    wire: wire(u8(23), be32(6), be32(7), str("a.txt"), str("b/a.txt")),
  },
  {
    message: { type: T.SharedDirectoryMoveResponse, completionId: 6, errCode: 1 },
    wire: wire(u8(24), be32(6), be32(1)),
  },
  {
    message: { type: T.SharedDirectoryListRequest, completionId: 8, directoryId: 7, path: "" },
    wire: wire(u8(25), be32(8), be32(7), str("")),
  },
  {
    message: { type: T.SharedDirectoryListResponse, completionId: 8, errCode: 0, fsoList: [fsoA, fsoB] },
    wire: wire(u8(26), be32(8), be32(0), be32(2), fsoWire(fsoA), fsoWire(fsoB)),
  },
  {
    message: { type: T.PNG2Frame, left: 64, top: 128, right: 65, bottom: 128, png: TINY_PNG },
    wire: wire(u8(27), be32(TINY_PNG.length), be32(64), be32(128), be32(65), be32(128), TINY_PNG),
  },
  {
    message: { type: T.Alert, message: "Recording storage is 90% full", severity: 1 },
    wire: wire(u8(28), str("Recording storage is 90% full"), u8(1)),
  },
  { message: { type: T.RDPFastPathPDU, data: rdp }, wire: wire(u8(29), be32(rdp.length), rdp) },
  { message: { type: T.RDPResponsePDU, data: rdp.subarray(0, 3) }, wire: wire(u8(30), be32(3), rdp.subarray(0, 3)) },
  {
    message: { type: T.RDPConnectionActivated, ioChannelId: 1003, userChannelId: 1007, width: 1920, height: 1080 },
    wire: wire(u8(31), be16(1003), be16(1007), be16(1920), be16(1080)),
  },
  {
    message: { type: T.SyncKeys, scrollLock: 0, numLock: 1, capsLock: 1, kanaLock: 0 },
    wire: wire(u8(32, 0, 1, 1, 0)),
  },
  {
    message: { type: T.SharedDirectoryTruncateRequest, completionId: 9, directoryId: 7, path: "log.txt", endOfFile: 1024 },
    wire: wire(u8(33), be32(9), be32(7), str("log.txt"), be32(1024)),
  },
  {
    message: { type: T.SharedDirectoryTruncateResponse, completionId: 9, errCode: 0 },
    wire: wire(u8(34), be32(9), be32(0)),
  },
  { message: { type: T.LatencyStats, clientLatency: 12, serverLatency: 340 }, wire: wire(u8(35), be32(12), be32(340)) },
  { message: { type: T.Ping, uuid }, wire: wire(u8(36), uuid) },
  { message: { type: T.ClientKeyboardLayout, layout: 0x0409 }, wire: wire(u8(37), be32(4), be32(0x0409)) },
  { message: { type: T.TDPUpgrade }, wire: wire(u8(38)) },
];
