// A WebSocket outlives the request whose credential let it in. This tells whoever holds one that the credential
// has ended — the token was revoked (by hand, or because its owner was deleted or demoted), or the login session
// ended — so the socket can be closed at once rather than at the next request. Changes made through this node
// are announced here as they happen; changes another node made in the shared database are found by re-checking
// the watched credentials every few seconds while any are watched.
import { errorMessage } from "../errorMessage.ts";
import type { AuthStore } from "./authStore.ts";
import type { Principal } from "./principal.ts";

/** What a principal's access rests on: an issued token (by id) or a login session (by the hash of its id). */
export type Credential = { kind: "token"; tokenId: string } | { kind: "session"; user: string; sessionHash: string };

/** Is this credential still good? Asked of the account store; throws when the store cannot answer. */
export type CredentialCheck = (credential: Credential) => Promise<boolean>;

/** Told once, with a short reason fit for a WebSocket close frame ("token revoked"). */
export type CredentialEnded = (reason: string) => void;

interface Watcher {
  credential: Credential;
  onEnded: CredentialEnded;
}

export const REVOKED = "token revoked";
export const SESSION_ENDED = "logged out: the login session ended";
/** Default time between re-checks of watched credentials against the store. */
export const DEFAULT_RECHECK_MS = 10_000;

/** The credential a principal came with, or null when none can end (the configured admin token, a peer node). */
export function credentialOf(p: Principal): Credential | null {
  if (p.via === "token") return p.tokenId === undefined ? null : { kind: "token", tokenId: p.tokenId };
  return p.loginSession === undefined ? null : { kind: "session", user: p.name, sessionHash: p.loginSession };
}

/**
 * Asks the account store, by the same rules as a request: a token must be unrevoked (and its owner still exist),
 * a login session neither ended nor expired — idle time included, as a socket on it is no request.
 */
export function storedCredentialCheck(store: Pick<AuthStore, "getToken" | "findSession">, now: () => number, idleMs: number): CredentialCheck {
  return async (credential) => {
    if (credential.kind === "token") {
      const row = await store.getToken(credential.tokenId);
      return row !== null && row.revoked_at === null;
    }
    const at = now();
    return (await store.findSession(credential.sessionHash, at, at - idleMs)) !== null;
  };
}

export class CredentialWatch {
  private readonly watchers = new Set<Watcher>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private rechecking = false;
  private failures = 0;

  constructor(
    private readonly stillValid: CredentialCheck,
    private readonly log: (line: string) => void,
    private readonly recheckMs = DEFAULT_RECHECK_MS,
  ) {}

  /**
   * Calls `onEnded` once when the principal's credential ends; returns the unsubscribe function. The credential
   * is checked once right away too: it may have ended between the request that was let in and this call.
   */
  watch(principal: Principal, onEnded: CredentialEnded): () => void {
    const credential = credentialOf(principal);
    if (credential === null) return () => undefined;
    const watcher: Watcher = { credential, onEnded };
    this.watchers.add(watcher);
    this.startTimer();
    void this.check([watcher]);
    return () => this.forget(watcher);
  }

  /** This node revoked a token. */
  tokenEnded(tokenId: string, reason: string): void {
    this.end((c) => c.kind === "token" && c.tokenId === tokenId, reason);
  }

  /** This node ended every login session of a user. */
  sessionsOfUserEnded(user: string, reason: string): void {
    this.end((c) => c.kind === "session" && c.user === user, reason);
  }

  /** This node ended one login session (logout). */
  sessionEnded(sessionHash: string, reason: string): void {
    this.end((c) => c.kind === "session" && c.sessionHash === sessionHash, reason);
  }

  /** Asks the store about every watched credential once (each distinct credential once). */
  recheck(): Promise<void> {
    return this.check([...this.watchers]);
  }

  /** How many sockets are watched, and how many re-checks the store could not answer. */
  stats(): { watched: number; failedChecks: number } {
    return { watched: this.watchers.size, failedChecks: this.failures };
  }

  close(): void {
    this.watchers.clear();
    this.stopTimer();
  }

  private end(matches: (c: Credential) => boolean, reason: string): void {
    for (const watcher of [...this.watchers]) if (matches(watcher.credential)) this.ended(watcher, reason);
  }

  /** Tells a watcher its credential ended, once: it is forgotten first. */
  private ended(watcher: Watcher, reason: string): void {
    if (!this.watchers.has(watcher)) return;
    this.forget(watcher);
    watcher.onEnded(reason);
  }

  private async check(watchers: Watcher[]): Promise<void> {
    const byKey = new Map<string, Watcher[]>();
    for (const w of watchers) {
      const key = w.credential.kind === "token" ? `t:${w.credential.tokenId}` : `s:${w.credential.sessionHash}`;
      const group = byKey.get(key);
      if (group) group.push(w);
      else byKey.set(key, [w]);
    }
    for (const group of byKey.values()) {
      const { credential } = group[0];
      let valid: boolean;
      try {
        valid = await this.stillValid(credential);
      } catch (err) {
        // The store did not answer: keep the sockets (a database hiccup must not cut every recording) and try later.
        if (this.failures++ === 0) this.log(`could not re-check the credentials of open sockets: ${errorMessage(err)}`);
        continue;
      }
      if (valid) continue;
      const reason = credential.kind === "token" ? REVOKED : SESSION_ENDED;
      for (const w of group) this.ended(w, reason);
    }
  }

  private forget(watcher: Watcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size === 0) this.stopTimer();
  }

  private startTimer(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      if (this.rechecking) return;
      this.rechecking = true;
      void this.recheck().finally(() => (this.rechecking = false));
    }, this.recheckMs);
    this.timer.unref?.();
  }

  private stopTimer(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
  }
}
