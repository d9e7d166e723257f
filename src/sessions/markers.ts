// Timeline markers: the "key events" RFD 47 wants visible during playback, derived from TDP messages
// (TDPB ones arrive here already in the legacy model, see tdp/eras.ts).
import type { Marker, MarkerKind } from "../catalog/types.ts";
import { MessageType, Severity, type TdpMessage } from "../tdp/messages.ts";

const SEVERITY_NAMES: Record<Severity, string> = { [Severity.Info]: "info", [Severity.Warning]: "warning", [Severity.Error]: "error" };

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Follows one session's messages and says which of them deserve a marker. */
export class MarkerTracker {
  private screen: { width: number; height: number } | null = null;
  private readonly directories = new Map<number, string>();

  markerFor(msg: TdpMessage, tMs: number): Marker | null {
    const at = (kind: MarkerKind, detail: string): Marker => ({ tMs, kind, detail: clip(detail) });
    switch (msg.type) {
      // The client's screen spec and the RDP server's activation (legacy 31, TDPB ServerHello) both size the screen.
      case MessageType.ClientScreenSpec:
      case MessageType.RDPConnectionActivated: {
        const before = this.screen;
        this.screen = { width: msg.width, height: msg.height };
        if (!before) return null; // the first screen spec opens the session; it is not a resize
        if (before.width === msg.width && before.height === msg.height) return null;
        return at("resize", `${before.width}×${before.height} → ${msg.width}×${msg.height}`);
      }
      case MessageType.ClipboardData:
        return at("clipboard", `clipboard: ${msg.data.length} bytes`);
      case MessageType.Alert:
        return at(msg.severity === Severity.Error ? "error" : "alert", `${SEVERITY_NAMES[msg.severity] ?? "alert"}: ${msg.message}`);
      case MessageType.Error:
        return at("error", msg.message);
      case MessageType.SharedDirectoryAnnounce:
        this.directories.set(msg.directoryId, msg.name);
        return at("file_transfer", `shared directory "${msg.name}"`);
      case MessageType.SharedDirectoryReadRequest:
        return at("file_transfer", `read ${this.pathIn(msg.directoryId, msg.path)} (${msg.length} bytes at ${msg.offset})`);
      case MessageType.SharedDirectoryWriteRequest:
        return at("file_transfer", `write ${this.pathIn(msg.directoryId, msg.path)} (${msg.data.length} bytes at ${msg.offset})`);
      case MessageType.SharedDirectoryCreateRequest:
        return at("file_transfer", `create ${this.pathIn(msg.directoryId, msg.path)}`);
      case MessageType.SharedDirectoryDeleteRequest:
        return at("file_transfer", `delete ${this.pathIn(msg.directoryId, msg.path)}`);
      case MessageType.SharedDirectoryMoveRequest:
        return at("file_transfer", `move ${this.pathIn(msg.directoryId, msg.originalPath)} → ${msg.newPath}`);
      default:
        return null;
    }
  }

  private pathIn(directoryId: number, path: string): string {
    const dir = this.directories.get(directoryId);
    return dir ? `${dir}/${path}` : path;
  }
}

/** Most bad-picture markers per session, and the least session time between two: a broken stream stays readable. */
const MAX_PROBLEM_MARKERS = 100;
const PROBLEM_MARKER_GAP_MS = 1000;

/**
 * Picture input the video could not draw (a bad PNG tile, a bad RDP update) becomes an alert marker,
 * as bad input does on the wire; every problem is still counted and logged by the caller.
 */
export class ProblemMarkers {
  private count = 0;
  private lastMs = -Infinity;

  markerFor(reason: string, tMs: number): Marker | null {
    if (this.count >= MAX_PROBLEM_MARKERS || tMs - this.lastMs < PROBLEM_MARKER_GAP_MS) return null;
    this.count++;
    this.lastMs = tMs;
    return { tMs, kind: "alert", detail: clip(`deskreel could not draw: ${reason}`) };
  }
}
