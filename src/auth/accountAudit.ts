// Audit events for account activity, written to the main audit log beside session events. Teleport's event
// names and codes where Teleport has them (user.login, user.create/update/delete, user.password_change);
// API tokens are deskreel's own: token.create / token.delete with codes in a DR range of their own.
// `user` is who acted; `name` is the account (or token) acted on.
import { formatRfc3339 } from "../recording/auditJson.ts";
import type { AuditLog } from "../recording/tee.ts";
import type { Principal, Role } from "./principal.ts";
import { errorMessage } from "../errorMessage.ts";

export const ACCOUNT_EVENTS = {
  loginSuccess: { event: "user.login", code: "T1000I" },
  loginFailure: { event: "user.login", code: "T1000W" },
  userCreate: { event: "user.create", code: "T1002I" },
  userUpdate: { event: "user.update", code: "T1003I" },
  userDelete: { event: "user.delete", code: "T1004I" },
  passwordChange: { event: "user.password_change", code: "T1005I" },
  tokenCreate: { event: "token.create", code: "DR1001I" },
  tokenDelete: { event: "token.delete", code: "DR1002I" },
} as const;

type EventKind = keyof typeof ACCOUNT_EVENTS;

/** Where a login came from, as Teleport's connection and client metadata. */
export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
}

export class AccountAudit {
  private failures = 0;

  constructor(
    private readonly log: AuditLog | null,
    private readonly warn: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  login(user: string, client: ClientInfo, outcome: { ok: true } | { ok: false; error: string; lockedForS?: number }): void {
    this.emit(outcome.ok ? "loginSuccess" : "loginFailure", {
      user,
      method: "local",
      success: outcome.ok,
      ...(outcome.ok ? {} : { error: outcome.error }),
      ...(!outcome.ok && outcome.lockedForS ? { locked_for_s: outcome.lockedForS } : {}),
      ...(client.address ? { "addr.remote": client.address } : {}),
      ...(client.userAgent ? { user_agent: client.userAgent.slice(0, 512) } : {}),
    });
  }

  userCreated(actor: Principal | null, name: string, role: Role): void {
    this.emit("userCreate", { user: actorName(actor), name, roles: [role] });
  }

  roleChanged(actor: Principal, name: string, role: Role, previous: Role): void {
    this.emit("userUpdate", { user: actorName(actor), name, roles: [role], previous_roles: [previous] });
  }

  userDeleted(actor: Principal, name: string, revokedTokens: number): void {
    this.emit("userDelete", { user: actorName(actor), name, tokens_revoked: revokedTokens });
  }

  passwordChanged(actor: Principal, name: string, sessionsEnded: number): void {
    this.emit("passwordChange", { user: actorName(actor), name, sessions_ended: sessionsEnded });
  }

  tokenCreated(actor: Principal, id: string, name: string, role: Role): void {
    this.emit("tokenCreate", { user: actorName(actor), token_id: id, name, roles: [role] });
  }

  tokenDeleted(actor: Principal | null, id: string, reason: string): void {
    this.emit("tokenDelete", { user: actorName(actor), token_id: id, reason });
  }

  stats(): { failures: number } {
    return { failures: this.failures };
  }

  /** An audit-log failure is logged and counted, never thrown: the account change itself has happened. */
  private emit(kind: EventKind, fields: Record<string, unknown>): void {
    if (!this.log) return;
    const { event, code } = ACCOUNT_EVENTS[kind];
    const json = { ei: 0, event, code, time: formatRfc3339(new Date(this.now())), uid: crypto.randomUUID(), ...fields };
    void Promise.resolve()
      .then(() => this.log!.emit(json))
      .catch((err: unknown) => {
        this.failures++;
        this.warn(`audit log rejected ${event}: ${errorMessage(err)}`);
      });
  }
}

/** The configured admin token acts as "admin"; a token principal carries its token's name. */
function actorName(actor: Principal | null): string {
  return actor ? actor.name : "system";
}
