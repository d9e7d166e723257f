// How many live sessions each ingest principal (an agent's token, or a user) has open, with a cap: one
// compromised agent token must not be able to open sessions without end and take the server's memory.
import type { Principal } from "../auth/principal.ts";

export class AgentSessions {
  private readonly open = new Map<string, Set<string>>();

  constructor(readonly maxPerAgent: number) {}

  private static key(p: Principal): string {
    return `${p.via}:${p.name}`;
  }

  /** Whether the principal may open one more session now (the upgrade's early check). */
  hasRoom(p: Principal): boolean {
    return (this.open.get(AgentSessions.key(p))?.size ?? 0) < this.maxPerAgent;
  }

  /** Counts a socket's session against its principal; false (nothing counted) when at the cap. */
  acquire(p: Principal, socketId: string): boolean {
    const key = AgentSessions.key(p);
    const sockets = this.open.get(key) ?? new Set<string>();
    if (sockets.size >= this.maxPerAgent) return false;
    sockets.add(socketId);
    this.open.set(key, sockets);
    return true;
  }

  release(p: Principal, socketId: string): void {
    const key = AgentSessions.key(p);
    const sockets = this.open.get(key);
    if (!sockets) return;
    sockets.delete(socketId);
    if (sockets.size === 0) this.open.delete(key);
  }

  /** The refusal text for a principal at its cap. */
  refusal(p: Principal): string {
    return `${p.name} already has ${this.maxPerAgent} live sessions (DESKREEL_MAX_SESSIONS_PER_AGENT)`;
  }
}
