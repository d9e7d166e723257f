// `session.recording.access` audit events: who played or downloaded which recording. A player makes many
// range requests for one viewing, so one event per user, recording and kind of access every few minutes.
import { formatRfc3339 } from "../recording/auditJson.ts";
import type { AuditLog } from "../recording/tee.ts";
import type { Principal } from "../auth/principal.ts";

export type AccessKind = "play" | "live" | "download_video" | "download_recording" | "download_clip" | "download_manifest";

/** Which part of the recording was accessed (a clip), ms from its start. */
export interface AccessSpan {
  fromMs: number;
  toMs: number;
}

const REPEAT_WINDOW_MS = 10 * 60 * 1000;

export class AccessLog {
  private readonly recent = new Map<string, number>();

  constructor(private readonly auditLog: AuditLog, private readonly now: () => number = Date.now) {}

  /** Notes an access; repeats of the same access within the window are folded into the first. */
  record(principal: Principal, sessionId: string, kind: AccessKind, span?: AccessSpan): void {
    const now = this.now();
    const key = `${principal.name}\u0000${sessionId}\u0000${kind}${span ? `\u0000${span.fromMs}-${span.toMs}` : ""}`;
    const last = this.recent.get(key);
    if (last !== undefined && now - last < REPEAT_WINDOW_MS) return;
    this.recent.set(key, now);
    if (this.recent.size > 10_000) this.prune(now);
    void Promise.resolve(
      this.auditLog.emit({
        ei: 0, event: "session.recording.access", code: "T2012I", time: formatRfc3339(new Date(now)),
        uid: crypto.randomUUID(), sid: sessionId, user: principal.name, access: kind,
        ...(span ? { clip_from_ms: span.fromMs, clip_to_ms: span.toMs } : {}),
      }),
    ).catch(() => undefined);
  }

  private prune(now: number): void {
    for (const [key, at] of this.recent) if (now - at >= REPEAT_WINDOW_MS) this.recent.delete(key);
  }
}
