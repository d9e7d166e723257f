import { describe, expect, test } from "bun:test";
import { ADDRESS_POLICY, delayAfter, LoginThrottle, USER_POLICY } from "../../src/auth/loginThrottle.ts";

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("login throttle", () => {
  test("three free failures, then waits that double up to a minute, and a 15-minute lockout from the tenth", () => {
    const waits = Array.from({ length: 12 }, (_, i) => delayAfter(i + 1, USER_POLICY));
    expect(waits).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 16000, 32000, 900_000, 900_000, 900_000]);
    expect(delayAfter(9, { ...USER_POLICY, maxDelayMs: 5000 })).toBe(5000);
  });

  test("a waiting user name is refused until its wait is over, whatever the password", () => {
    const c = clock();
    const throttle = new LoginThrottle(USER_POLICY, ADDRESS_POLICY, c.now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.check("Alice", "10.0.0.1").retryAfterMs).toBe(0);
      expect(throttle.failed("Alice", "10.0.0.1")).toBe(0);
    }
    expect(throttle.failed("alice", "10.0.0.2")).toBe(1000);
    // The name is case-blind: ALICE waits too, from any address.
    expect(throttle.check("ALICE", "10.9.9.9")).toEqual({ retryAfterMs: 1000, by: "user" });
    c.advance(999);
    expect(throttle.check("alice", null).retryAfterMs).toBe(1);
    c.advance(1);
    expect(throttle.check("alice", null).retryAfterMs).toBe(0);
    expect(throttle.stats().refused).toBe(2);
  });

  test("a success clears the user name but not the address", () => {
    const c = clock();
    const throttle = new LoginThrottle(USER_POLICY, { ...ADDRESS_POLICY, freeFailures: 2 }, c.now);
    for (let i = 0; i < 3; i++) throttle.failed("bob", "10.0.0.1");
    throttle.succeeded("bob");
    expect(throttle.check("bob", null).retryAfterMs).toBe(0);
    expect(throttle.check("bob", "10.0.0.1")).toEqual({ retryAfterMs: 1000, by: "address" });
  });

  test("failures are forgotten an hour after the last one", () => {
    const c = clock();
    const throttle = new LoginThrottle(USER_POLICY, ADDRESS_POLICY, c.now);
    for (let i = 0; i < 10; i++) throttle.failed("carol", null);
    expect(throttle.check("carol", null).retryAfterMs).toBe(900_000);
    c.advance(60 * 60_000 + 1);
    expect(throttle.check("carol", null).retryAfterMs).toBe(0);
    expect(throttle.failed("carol", null)).toBe(0);
  });

  test("memory stays bounded under a spray of user names", () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 60_000; i++) throttle.failed(`user${i}`, null);
    expect(throttle.stats().keys).toBeLessThanOrEqual(50_000);
  });
});
