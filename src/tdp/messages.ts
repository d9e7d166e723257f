// Legacy TDP message catalogue (docs/tdp.md). Every message is a plain object tagged by `type`.
// The codec (codec.ts) turns these into bytes and back; nothing here knows about bytes.

export enum MessageType {
  ClientScreenSpec = 1,
  PNGFrame = 2,
  MouseMove = 3,
  MouseButton = 4,
  KeyboardButton = 5,
  ClipboardData = 6,
  ClientUsername = 7,
  MouseWheel = 8,
  Error = 9,
  MFA = 10,
  SharedDirectoryAnnounce = 11,
  SharedDirectoryAcknowledge = 12,
  SharedDirectoryInfoRequest = 13,
  SharedDirectoryInfoResponse = 14,
  SharedDirectoryCreateRequest = 15,
  SharedDirectoryCreateResponse = 16,
  SharedDirectoryDeleteRequest = 17,
  SharedDirectoryDeleteResponse = 18,
  SharedDirectoryReadRequest = 19,
  SharedDirectoryReadResponse = 20,
  SharedDirectoryWriteRequest = 21,
  SharedDirectoryWriteResponse = 22,
  SharedDirectoryMoveRequest = 23,
  SharedDirectoryMoveResponse = 24,
  SharedDirectoryListRequest = 25,
  SharedDirectoryListResponse = 26,
  PNG2Frame = 27,
  Alert = 28,
  RDPFastPathPDU = 29,
  RDPResponsePDU = 30,
  RDPConnectionActivated = 31,
  SyncKeys = 32,
  SharedDirectoryTruncateRequest = 33,
  SharedDirectoryTruncateResponse = 34,
  LatencyStats = 35,
  Ping = 36,
  ClientKeyboardLayout = 37,
  TDPUpgrade = 38,
}

export enum MouseButtonId { Left = 0, Middle = 1, Right = 2 }
export enum ButtonState { Up = 0, Down = 1 }
export enum WheelAxis { Vertical = 0, Horizontal = 1 }
export enum Severity { Info = 0, Warning = 1, Error = 2 }
/** Shared-directory error codes. */
export enum FsErrCode { Ok = 0, Failed = 1, DoesNotExist = 2, AlreadyExists = 3 }

/** A file-system object as the shared-directory messages carry it. */
export interface FileSystemObject {
  lastModified: bigint;
  size: bigint;
  fileType: number;
  isEmpty: boolean;
  path: string;
}

/** A screen rectangle in pixels with exclusive right/bottom, whatever the wire form was. */
export interface Rect { left: number; top: number; right: number; bottom: number }

export interface ClientScreenSpec { type: MessageType.ClientScreenSpec; width: number; height: number }
/** Type 2: right/bottom exclusive on the wire. */
export interface PNGFrame { type: MessageType.PNGFrame; left: number; top: number; right: number; bottom: number; png: Uint8Array }
export interface MouseMove { type: MessageType.MouseMove; x: number; y: number }
export interface MouseButton { type: MessageType.MouseButton; button: MouseButtonId; state: ButtonState }
export interface KeyboardButton { type: MessageType.KeyboardButton; keyCode: number; state: ButtonState }
export interface ClipboardData { type: MessageType.ClipboardData; data: Uint8Array }
export interface ClientUsername { type: MessageType.ClientUsername; username: string }
export interface MouseWheel { type: MessageType.MouseWheel; axis: WheelAxis; delta: number }
export interface ErrorMessage { type: MessageType.Error; message: string }
export interface MFA { type: MessageType.MFA; mfaType: "n" | "u"; json: string }
export interface SharedDirectoryAnnounce { type: MessageType.SharedDirectoryAnnounce; directoryId: number; name: string }
export interface SharedDirectoryAcknowledge { type: MessageType.SharedDirectoryAcknowledge; errCode: number; directoryId: number }
export interface SharedDirectoryInfoRequest { type: MessageType.SharedDirectoryInfoRequest; completionId: number; directoryId: number; path: string }
export interface SharedDirectoryInfoResponse { type: MessageType.SharedDirectoryInfoResponse; completionId: number; errCode: number; fso: FileSystemObject }
export interface SharedDirectoryCreateRequest { type: MessageType.SharedDirectoryCreateRequest; completionId: number; directoryId: number; fileType: number; path: string }
export interface SharedDirectoryCreateResponse { type: MessageType.SharedDirectoryCreateResponse; completionId: number; errCode: number; fso: FileSystemObject }
export interface SharedDirectoryDeleteRequest { type: MessageType.SharedDirectoryDeleteRequest; completionId: number; directoryId: number; path: string }
export interface SharedDirectoryDeleteResponse { type: MessageType.SharedDirectoryDeleteResponse; completionId: number; errCode: number }
export interface SharedDirectoryReadRequest { type: MessageType.SharedDirectoryReadRequest; completionId: number; directoryId: number; path: string; offset: bigint; length: number }
export interface SharedDirectoryReadResponse { type: MessageType.SharedDirectoryReadResponse; completionId: number; errCode: number; data: Uint8Array }
export interface SharedDirectoryWriteRequest { type: MessageType.SharedDirectoryWriteRequest; completionId: number; directoryId: number; offset: bigint; path: string; data: Uint8Array }
export interface SharedDirectoryWriteResponse { type: MessageType.SharedDirectoryWriteResponse; completionId: number; errCode: number; bytesWritten: number }
export interface SharedDirectoryMoveRequest { type: MessageType.SharedDirectoryMoveRequest; completionId: number; directoryId: number; originalPath: string; newPath: string }
export interface SharedDirectoryMoveResponse { type: MessageType.SharedDirectoryMoveResponse; completionId: number; errCode: number }
export interface SharedDirectoryListRequest { type: MessageType.SharedDirectoryListRequest; completionId: number; directoryId: number; path: string }
export interface SharedDirectoryListResponse { type: MessageType.SharedDirectoryListResponse; completionId: number; errCode: number; fsoList: FileSystemObject[] }
/** Type 27: right/bottom inclusive on the wire. */
export interface PNG2Frame { type: MessageType.PNG2Frame; left: number; top: number; right: number; bottom: number; png: Uint8Array }
export interface Alert { type: MessageType.Alert; message: string; severity: Severity }
export interface RDPFastPathPDU { type: MessageType.RDPFastPathPDU; data: Uint8Array }
export interface RDPResponsePDU { type: MessageType.RDPResponsePDU; data: Uint8Array }
export interface RDPConnectionActivated { type: MessageType.RDPConnectionActivated; ioChannelId: number; userChannelId: number; width: number; height: number }
export interface SyncKeys { type: MessageType.SyncKeys; scrollLock: number; numLock: number; capsLock: number; kanaLock: number }
export interface SharedDirectoryTruncateRequest { type: MessageType.SharedDirectoryTruncateRequest; completionId: number; directoryId: number; path: string; endOfFile: number }
export interface SharedDirectoryTruncateResponse { type: MessageType.SharedDirectoryTruncateResponse; completionId: number; errCode: number }
export interface LatencyStats { type: MessageType.LatencyStats; clientLatency: number; serverLatency: number }
export interface Ping { type: MessageType.Ping; uuid: Uint8Array }
export interface ClientKeyboardLayout { type: MessageType.ClientKeyboardLayout; layout: number }
export interface TDPUpgrade { type: MessageType.TDPUpgrade }

export type TdpMessage =
  | ClientScreenSpec | PNGFrame | MouseMove | MouseButton | KeyboardButton | ClipboardData | ClientUsername
  | MouseWheel | ErrorMessage | MFA | SharedDirectoryAnnounce | SharedDirectoryAcknowledge
  | SharedDirectoryInfoRequest | SharedDirectoryInfoResponse | SharedDirectoryCreateRequest | SharedDirectoryCreateResponse
  | SharedDirectoryDeleteRequest | SharedDirectoryDeleteResponse | SharedDirectoryReadRequest | SharedDirectoryReadResponse
  | SharedDirectoryWriteRequest | SharedDirectoryWriteResponse | SharedDirectoryMoveRequest | SharedDirectoryMoveResponse
  | SharedDirectoryListRequest | SharedDirectoryListResponse | PNG2Frame | Alert | RDPFastPathPDU | RDPResponsePDU
  | RDPConnectionActivated | SyncKeys | SharedDirectoryTruncateRequest | SharedDirectoryTruncateResponse | LatencyStats
  | Ping | ClientKeyboardLayout | TDPUpgrade;

export type MessageOf<T extends MessageType> = Extract<TdpMessage, { type: T }>;

/** The rectangle a PNG tile covers, normalised to exclusive right/bottom (type 27 is inclusive on the wire). */
export function tileRect(m: PNGFrame | PNG2Frame): Rect {
  const extra = m.type === MessageType.PNG2Frame ? 1 : 0;
  return { left: m.left, top: m.top, right: m.right + extra, bottom: m.bottom + extra };
}

/** Types that a recording keeps (RFD 47). Keyboard, wheel, username and MFA are never recorded. */
export const RECORDED_TYPES: ReadonlySet<MessageType> = new Set([
  MessageType.ClientScreenSpec, MessageType.PNGFrame, MessageType.MouseMove, MessageType.MouseButton,
  MessageType.ClipboardData, MessageType.Error, MessageType.PNG2Frame, MessageType.Alert,
  MessageType.RDPFastPathPDU, MessageType.RDPConnectionActivated,
]);

/** The messages that change the picture: what the compositor draws and the video path is given. */
export const PICTURE_TYPES: ReadonlySet<number> = new Set([
  MessageType.ClientScreenSpec, MessageType.PNGFrame, MessageType.PNG2Frame,
  MessageType.RDPConnectionActivated, MessageType.RDPFastPathPDU,
]);

/** A decoded message the video path draws: PNG-era screens and tiles, RDP-era connections and PDUs. */
export type PictureMessage = ClientScreenSpec | PNGFrame | PNG2Frame | RDPConnectionActivated | RDPFastPathPDU;

export function isPictureMessage(message: TdpMessage): message is PictureMessage {
  return PICTURE_TYPES.has(message.type);
}

/** Limits from the protocol and the contract. */
export const LIMITS = {
  maxPng: 10 * 1024 * 1024,
  maxClipboard: 1024 * 1024,
  maxUsername: 256,
  maxError: 10240,
  maxScreen: 8192,
} as const;
