// The sessions running right now, by id: live viewers and the watch view find them here.
import type { DesktopSession } from "./desktopSession.ts";

export class LiveSessions {
  private readonly sessions = new Map<string, DesktopSession>();

  add(session: DesktopSession): void {
    if (this.sessions.has(session.sessionId)) throw new Error(`session ${session.sessionId} is already live`);
    this.sessions.set(session.sessionId, session);
  }

  remove(session: DesktopSession): void {
    if (this.sessions.get(session.sessionId) === session) this.sessions.delete(session.sessionId);
  }

  get(id: string): DesktopSession | undefined {
    return this.sessions.get(id);
  }

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  all(): DesktopSession[] {
    return [...this.sessions.values()];
  }

  /** End every live session properly (server shutdown): end events written, videos finalized. */
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all().map((s) => s.close()));
  }
}
