// Slows password guessing down. Failed logins are counted per user name and per client address; after a few
// free failures every further one makes that key wait twice as long before the next attempt, and many failures
// lock it out for a window. Attempts while a key waits are refused without checking the password (so they cost
// no argon2 work and teach nothing). Kept in memory: a restart forgets, which only helps a guesser once.

export interface ThrottlePolicy {
  /** Failures allowed before any waiting. */
  freeFailures: number;
  /** The first wait; each further failure doubles it, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** From this many failures on, the key is locked out for lockoutMs after each failure. */
  lockoutAfter: number;
  lockoutMs: number;
  /** A key's failures are forgotten this long after its last one. */
  forgetAfterMs: number;
}

/** One user name: a person mistyping gets three tries free, then 1 s, 2 s, 4 s...; 10 failures lock for 15 min. */
export const USER_POLICY: ThrottlePolicy = {
  freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 60_000, lockoutAfter: 10, lockoutMs: 15 * 60_000, forgetAfterMs: 60 * 60_000,
};

/** One client address: more room (several people behind one NAT), and it covers guessing across many names. */
export const ADDRESS_POLICY: ThrottlePolicy = {
  freeFailures: 10, baseDelayMs: 1000, maxDelayMs: 60_000, lockoutAfter: 30, lockoutMs: 15 * 60_000, forgetAfterMs: 60 * 60_000,
};

/** At most this many keys are remembered; the least recently failed are dropped first. */
const MAX_KEYS = 50_000;

interface KeyState {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

export interface ThrottleVerdict {
  /** 0 when the attempt may go ahead, else how long the caller must wait. */
  retryAfterMs: number;
  /** Which key is waiting ("user" or "address"), for logs and audit. */
  by: "user" | "address" | null;
}

export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();
  private refused = 0;

  constructor(
    private readonly userPolicy: ThrottlePolicy = USER_POLICY,
    private readonly addressPolicy: ThrottlePolicy = ADDRESS_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** May this attempt go ahead? Counts refusals. */
  check(user: string, address: string | null): ThrottleVerdict {
    const now = this.now();
    const userWait = this.waitOf(userKey(user), this.userPolicy, now);
    const addressWait = address === null ? 0 : this.waitOf(addressKey(address), this.addressPolicy, now);
    const retryAfterMs = Math.max(userWait, addressWait);
    if (retryAfterMs > 0) this.refused++;
    return { retryAfterMs, by: retryAfterMs === 0 ? null : userWait >= addressWait ? "user" : "address" };
  }

  /** A wrong password (or unknown user). Returns how long the caller now has to wait (0: not yet). */
  failed(user: string, address: string | null): number {
    const now = this.now();
    let wait = this.fail(userKey(user), this.userPolicy, now);
    if (address !== null) wait = Math.max(wait, this.fail(addressKey(address), this.addressPolicy, now));
    return wait;
  }

  /** The right password: the user name starts afresh (the address does not: one good account must not
   *  wash away guessing at others from the same place). */
  succeeded(user: string): void {
    this.keys.delete(userKey(user));
  }

  stats(): { keys: number; refused: number } {
    return { keys: this.keys.size, refused: this.refused };
  }

  private waitOf(key: string, policy: ThrottlePolicy, now: number): number {
    const state = this.keys.get(key);
    if (!state) return 0;
    if (now - state.lastFailure > policy.forgetAfterMs) {
      this.keys.delete(key);
      return 0;
    }
    return Math.max(0, state.blockedUntil - now);
  }

  private fail(key: string, policy: ThrottlePolicy, now: number): number {
    let state = this.keys.get(key);
    if (!state || now - state.lastFailure > policy.forgetAfterMs) state = { failures: 0, blockedUntil: 0, lastFailure: now };
    state.failures++;
    state.lastFailure = now;
    const wait = delayAfter(state.failures, policy);
    state.blockedUntil = Math.max(state.blockedUntil, now + wait);
    // Re-insert so the map's order is least recently failed first.
    this.keys.delete(key);
    this.keys.set(key, state);
    if (this.keys.size > MAX_KEYS) this.keys.delete(this.keys.keys().next().value!);
    return state.blockedUntil - now;
  }
}

/** How long a key waits after its n-th failure. */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures >= policy.lockoutAfter) return policy.lockoutMs;
  if (failures <= policy.freeFailures) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - policy.freeFailures - 1));
}

function userKey(user: string): string {
  return `u\u0000${user.toLowerCase()}`;
}

function addressKey(address: string): string {
  return `a\u0000${address}`;
}
