// TDPB messages (teleport.desktop.v1, docs/tdp.md) as plain objects tagged by `kind`, the Envelope
// payload's name. Field names are protobufjs's camelCase of the proto names; uint64 fields are bigint.
// Bytes fields are views into the decoded buffer, like the legacy codec's.

export interface Rectangle { left: number; top: number; right: number; bottom: number }
export interface ScreenSpec { width: number; height: number; scale: number }
export interface ConnectionActivated { ioChannelId: number; userChannelId: number; screenWidth: number; screenHeight: number }
export interface SessionIdentifier { name: string }
export interface FileSystemObject { lastModified: bigint; size: bigint; fileType: number; isEmpty: boolean; path: string }

export enum TdpbMouseButton { Unspecified = 0, Left = 1, Middle = 2, Right = 3 }
export enum TdpbSeverity { Unspecified = 0, Info = 1, Warning = 2, Error = 3 }
export enum TdpbWheelAxis { Unspecified = 0, Vertical = 1, Horizontal = 2 }
export enum TdpbMfaType { Unspecified = 0, WebAuthn = 1, U2F = 2 }

export interface ClientHello { kind: "clientHello"; username: string; screenSpec: ScreenSpec | null; keyboardLayout: number }
export interface ServerHello {
  kind: "serverHello"; activationSpec: ConnectionActivated | null; clipboardEnabled: boolean;
  directoryRemoveSupported: boolean; sessions: SessionIdentifier[]; hidpiSupported: boolean;
}
/** A PNG tile. `coordinates` right/bottom are inclusive (Teleport copies legacy PNG2Frame into them). */
export interface PNGFrame { kind: "pngFrame"; coordinates: Rectangle | null; data: Uint8Array }
export interface FastPathPDU { kind: "fastPathPdu"; pdu: Uint8Array }
export interface RDPResponsePDU { kind: "rdpResponsePdu"; response: Uint8Array }
export interface SyncKeys { kind: "syncKeys"; scrollLockPressed: boolean; numLockState: boolean; capsLockState: boolean; kanaLockState: boolean }
export interface MouseMove { kind: "mouseMove"; x: number; y: number }
export interface MouseButton { kind: "mouseButton"; button: TdpbMouseButton; pressed: boolean }
export interface KeyboardButton { kind: "keyboardButton"; keyCode: number; pressed: boolean }
export interface ClientScreenSpec extends ScreenSpec { kind: "clientScreenSpec" }
export interface Alert { kind: "alert"; message: string; severity: TdpbSeverity }
export interface MouseWheel { kind: "mouseWheel"; axis: TdpbWheelAxis; delta: number }
export interface ClipboardData { kind: "clipboardData"; data: Uint8Array }
/** challenge / authenticationResponse: the encoded teleport.mfa.v1 messages, kept as they came. */
export interface MFA { kind: "mfa"; type: TdpbMfaType; channelId: string; challenge: Uint8Array; authenticationResponse: Uint8Array }
export interface SharedDirectoryAnnounce { kind: "sharedDirectoryAnnounce"; directoryId: number; name: string }
export interface SharedDirectoryAcknowledge { kind: "sharedDirectoryAcknowledge"; directoryId: number; errorCode: number }
export interface SharedDirectoryRemove { kind: "sharedDirectoryRemove"; directoryId: number }

export type DirectoryRequestOperation =
  | { operation: "info"; info: { path: string } }
  | { operation: "create"; create: { path: string; fileType: number } }
  | { operation: "delete"; delete: { path: string } }
  | { operation: "list"; list: { path: string } }
  | { operation: "read"; read: { path: string; offset: bigint; length: number } }
  | { operation: "write"; write: { path: string; offset: bigint; data: Uint8Array } }
  | { operation: "move"; move: { originalPath: string; newPath: string } }
  | { operation: "truncate"; truncate: { path: string; size: bigint } };
export type SharedDirectoryRequest = { kind: "sharedDirectoryRequest"; directoryId: number; completionId: number } & DirectoryRequestOperation;

export type DirectoryResponseOperation =
  | { operation: "info"; info: { fso: FileSystemObject | null } }
  | { operation: "create"; create: { fso: FileSystemObject | null } }
  | { operation: "delete"; delete: Record<string, never> }
  | { operation: "list"; list: { fsoList: FileSystemObject[] } }
  | { operation: "read"; read: { data: Uint8Array } }
  | { operation: "write"; write: { bytesWritten: number } }
  | { operation: "move"; move: Record<string, never> }
  | { operation: "truncate"; truncate: Record<string, never> };
export type SharedDirectoryResponse = { kind: "sharedDirectoryResponse"; completionId: number; errorCode: number } & DirectoryResponseOperation;

export interface LatencyStats { kind: "latencyStats"; clientLatencyMs: number; serverLatencyMs: number }
export interface Ping { kind: "ping"; uuid: Uint8Array }
export interface SessionSelection { kind: "sessionSelection"; session: SessionIdentifier | null }

/** An Envelope whose payload this build does not know (a newer peer): kept, never an error. */
export interface UnknownPayload { kind: "unknown"; fieldNumbers: number[] }

export type TdpbMessage =
  | ClientHello | ServerHello | PNGFrame | FastPathPDU | RDPResponsePDU | SyncKeys | MouseMove | MouseButton
  | KeyboardButton | ClientScreenSpec | Alert | MouseWheel | ClipboardData | MFA | SharedDirectoryAnnounce
  | SharedDirectoryAcknowledge | SharedDirectoryRequest | SharedDirectoryResponse | LatencyStats | Ping
  | SharedDirectoryRemove | SessionSelection | UnknownPayload;

export type TdpbKind = TdpbMessage["kind"];
export type KnownTdpbMessage = Exclude<TdpbMessage, UnknownPayload>;

/**
 * What Teleport's desktop service records of a TDPB session (its send/receive handlers), plus
 * clipboardData: deskreel records that one with its data removed (or kept, if configured), as it does
 * legacy type 6, so players see where the clipboard was used.
 */
export const TDPB_RECORDED_KINDS: ReadonlySet<TdpbKind> = new Set<TdpbKind>([
  "serverHello", "fastPathPdu", "pngFrame", "alert", "clientScreenSpec", "mouseButton", "mouseMove", "clipboardData",
]);

/** The 4-byte big-endian length before every Envelope. */
export const TDPB_HEADER_BYTES = 4;
/** Teleport: the length is below 2^24 - 1, so the first byte of a TDPB message is always 0x00. */
export const TDPB_MAX_ENVELOPE = 0xff_ffff - 1;
