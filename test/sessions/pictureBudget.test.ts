import { describe, expect, test } from "bun:test";
import { PictureBudget } from "../../src/sessions/pictureBudget.ts";
import { MessageType, type TdpMessage } from "../../src/tdp/messages.ts";

const tile = (w: number, h: number): TdpMessage => ({ type: MessageType.PNGFrame, left: 0, top: 0, right: w, bottom: h, png: new Uint8Array(0) });
const screen = (w: number, h: number): TdpMessage => ({ type: MessageType.ClientScreenSpec, width: w, height: h });

describe("the picture budget of a live session", () => {
  test("decoded pixels per second: a burst of two seconds' worth passes, then pictures wait for the rate to refill", () => {
    let now = 0;
    const budget = new PictureBudget({ pixelsPerSecond: 1_000_000, now: () => now });
    expect(budget.admit(tile(1000, 1000))).toBe("send");
    expect(budget.admit(tile(1000, 1000))).toBe("send");
    expect(budget.admit(tile(1000, 1000))).toBe("over-pixel-rate");
    now += 500;
    expect(budget.admit(tile(1000, 1000))).toBe("over-pixel-rate");
    expect(budget.admit(tile(500, 1000))).toBe("send");
    now += 10_000; // refills up to the burst, not beyond
    expect(budget.admit(tile(1000, 1000))).toBe("send");
    expect(budget.admit(tile(1000, 1000))).toBe("send");
    expect(budget.admit(tile(10, 10))).toBe("over-pixel-rate");
    expect(budget.stats).toEqual({ skippedForRate: 3, skippedForBacklog: 0 });
  });

  test("a new screen borrows up to one burst ahead; a flood of them runs out", () => {
    let now = 0;
    const budget = new PictureBudget({ pixelsPerSecond: 1_000_000, now: () => now });
    expect(budget.admit(tile(2000, 1000))).toBe("send");
    expect(budget.admit(screen(1000, 1000))).toBe("send");
    expect(budget.admit(screen(1000, 1000))).toBe("send");
    expect(budget.admit(screen(1000, 1000))).toBe("over-pixel-rate");
  });

  test("while the encoder's queue is full, tiles are skipped until it drains; screens still pass", async () => {
    const budget = new PictureBudget({ pixelsPerSecond: 1e9 });
    let drain!: () => void;
    const congestion = new Promise<void>((resolve) => (drain = resolve));
    budget.congestedUntil(congestion);
    expect(budget.admit(tile(10, 10))).toBe("backlog");
    expect(budget.admit(screen(100, 100))).toBe("send");
    drain();
    await congestion; // after the budget's own reaction to the drain, which was attached first
    expect(budget.admit(tile(10, 10))).toBe("send");
    expect(budget.stats.skippedForBacklog).toBe(1);
  });
});
