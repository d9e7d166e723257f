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

/** "10 MiB", "10240 bytes": how limits read in error messages. */
export function formatBytes(n: number): string {
  return n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`;
}
