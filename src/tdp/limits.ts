// Size caps the codec enforces on the wire. LIMITS (messages.ts) holds the ones the contract names;
// the rest mirror Teleport's own decoder (lib/srv/desktop/tdp/protocol/legacy/proto.go).
import { LIMITS } from "./messages.ts";

const MiB = 1024 * 1024;

export const WIRE_LIMITS = {
  ...LIMITS,
  /** Alert text shares the Error cap (Teleport: tdpMaxAlertMessageLength). */
  maxAlert: LIMITS.maxError,
  /** Shared-directory paths (Teleport: tdpMaxPathLength = 10240). */
  maxPath: 10240,
  /** SharedDirectoryAnnounce name (Teleport decodes it with the 256-byte Windows username cap). */
  maxDirectoryName: 256,
  /** MFA challenge/response JSON (Teleport: maxMFADataLength). */
  maxMfaJson: 1 * MiB,
  /** Shared-directory read/write payloads (Teleport: tdpMaxFileReadWriteLength). */
  maxFileData: 1 * MiB,
  /** Raw RDP PDUs (types 29, 30). Teleport sets no cap; a fast-path PDU is at most 32767 bytes by spec. */
  maxRdpPdu: 1 * MiB,
} as const;

/** The reason given when a length field is over its cap, e.g. "png_length 99999999 exceeds 10 MiB". */
export function overLimit(field: string, length: number, max: number): string {
  const limit = max >= MiB && max % MiB === 0 ? `${max / MiB} MiB` : `${max} bytes`;
  return `${field}_length ${length} exceeds ${limit}`;
}
