// Sends a session's auditable events (start, end, clipboard, shared directories) to the main audit
// log. Playback events (desktop.recording, print) stay in the recording only: they are a flood of
// screen and terminal data, and the audit log is for searching who did what.
import { type AuditJson, toAuditJson } from "./auditJson.ts";
import { type AuditEvent, EventType } from "./eventTypes.ts";
import { errorMessage } from "../errorMessage.ts";

export interface AuditLog {
  emit(json: AuditJson): void | Promise<void>;
}

const AUDITED: ReadonlySet<string> = new Set([
  EventType.WindowsDesktopSessionStart,
  EventType.WindowsDesktopSessionEnd,
  EventType.SessionStart,
  EventType.SessionEnd,
  EventType.DesktopClipboardSend,
  EventType.DesktopClipboardReceive,
  EventType.DesktopSharedDirectoryStart,
  EventType.DesktopSharedDirectoryRead,
  EventType.DesktopSharedDirectoryWrite,
]);

/** Whether an event belongs in the main audit log. */
export function reachesAuditLog(event: AuditEvent): boolean {
  return AUDITED.has(event.type);
}

export class AuditTee {
  private failures = 0;
  private lastError: string | null = null;

  constructor(
    private readonly log: AuditLog,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {}

  /** Forward the event if it is auditable. An audit-log failure is logged and counted, never thrown:
   *  it must not stop the recording. */
  async forward(event: AuditEvent): Promise<boolean> {
    if (!reachesAuditLog(event)) return false;
    try {
      await this.log.emit(toAuditJson(event));
      return true;
    } catch (err) {
      this.failures++;
      this.lastError = errorMessage(err);
      const sid = "sessionId" in event ? event.sessionId : "?";
      this.warn(`session ${sid}: audit log rejected ${event.type} event ${event.index}: ${this.lastError}`);
      return false;
    }
  }

  stats(): { failures: number; lastError: string | null } {
    return { failures: this.failures, lastError: this.lastError };
  }
}
