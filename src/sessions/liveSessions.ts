// The sessions running right now, by id: live viewers, the status view and shutdown find them here.

/** What any live session (desktop or SSH) offers the registry. */
export interface LiveSession {
  readonly sessionId: string;
  close(): Promise<void>;
}

export class LiveSessions<S extends LiveSession> {
  private readonly sessions = new Map<string, S>();

  add(session: S): void {
    if (this.sessions.has(session.sessionId)) throw new Error(`session ${session.sessionId} is already live`);
    this.sessions.set(session.sessionId, session);
  }

  remove(session: S): void {
    if (this.sessions.get(session.sessionId) === session) this.sessions.delete(session.sessionId);
  }

  get(id: string): S | undefined {
    return this.sessions.get(id);
  }

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  all(): S[] {
    return [...this.sessions.values()];
  }

  /** End every live session properly (server shutdown): end events written, videos finalized. */
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all().map((s) => s.close()));
  }
}
