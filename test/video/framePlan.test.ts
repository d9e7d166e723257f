// The split of an import into windows: every window composes all messages up to its end, so the later
// windows must get fewer frames, the more so when messages are costly to compose (RDP updates by size).
import { describe, expect, test } from "bun:test";
import { FramePlan } from "../../src/video/framePlan.ts";

/** A plan of `seconds` of steady updates (a message every 100 ms), each carrying `rdpBytes` of RDP updates. */
function steady(seconds: number, rdpBytes: number): FramePlan {
  const plan = new FramePlan({ maxFps: 10, keyframeMs: 3000 });
  for (let t = 0; t < seconds * 1000; t += 100) plan.picture(t, rdpBytes);
  return plan;
}

describe("import windows", () => {
  test("cover the session in order, the first from 0, the last open-ended", () => {
    const windows = steady(60, 0).windows(2, 60_000);
    expect(windows.length).toBe(2);
    expect(windows[0]).toEqual({ fromMs: 0, untilMs: windows[1]!.fromMs });
    expect(windows[1]!.untilMs).toBeNull();
  });

  test("PNG tiles: the later window starts a little after the middle (it composes the earlier tiles too)", () => {
    const split = steady(60, 0).windows(2, 60_000)[1]!.fromMs;
    expect(split).toBeGreaterThan(30_000);
    expect(split).toBeLessThan(33_000);
  });

  test("RDP updates weigh by their size: 4.5 Mbit/s of them (a busy RemoteFX desktop) move the split well past the middle", () => {
    const png = steady(60, 0).windows(2, 60_000)[1]!.fromMs;
    const rdp = steady(60, 56 * 1024).windows(2, 60_000)[1]!.fromMs;
    const light = steady(60, 4 * 1024).windows(2, 60_000)[1]!.fromMs;
    expect(light).toBeGreaterThan(png);
    expect(light).toBeLessThan(rdp);
    expect(rdp).toBeGreaterThan(png + 3000);
    // the later window still has frames to encode
    expect(rdp).toBeLessThan(50_000);
  });
});
