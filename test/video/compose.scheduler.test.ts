import { describe, expect, test } from "bun:test";
import { FrameScheduler, WindowedFrames, windowSettledAt, type EncodeWindow, type FrameDecision, type SchedulerOptions } from "../../src/video/compose/scheduler.ts";

interface Message {
  t: number;
  changed: boolean;
}

/** Import-style replay: every message in order, frames collected, plus which message each frame follows. */
function replay(options: SchedulerOptions, messages: Message[], endMs?: number): { frames: FrameDecision[]; shownAfter: number[] } {
  const s = new FrameScheduler(options);
  const frames: FrameDecision[] = [];
  const shownAfter: number[] = [];
  let applied = -1;
  for (const [i, m] of messages.entries()) {
    const f = s.beforeMessage(m.t);
    if (f) {
      frames.push(f);
      shownAfter.push(applied);
    }
    s.afterMessage(m.t, m.changed);
    applied = i;
  }
  const last = s.finish(endMs ?? messages[messages.length - 1].t);
  if (last) {
    frames.push(last);
    shownAfter.push(applied);
  }
  return { frames, shownAfter };
}

function everyMs(from: number, to: number, step: number, changed = true): Message[] {
  const out: Message[] = [];
  for (let t = from; t <= to; t += step) out.push({ t, changed });
  return out;
}

describe("frame scheduler", () => {
  test("caps the rate: frames at least 100 ms apart at the default 10 fps", () => {
    const { frames } = replay({ mode: "import" }, everyMs(0, 2000, 20));
    expect(frames.length).toBeGreaterThanOrEqual(20);
    expect(frames.length).toBeLessThanOrEqual(22);
    for (let i = 1; i < frames.length - 1; i++) expect(frames[i].ptsMs - frames[i - 1].ptsMs).toBeGreaterThanOrEqual(100);
    const { frames: at5 } = replay({ mode: "import", maxFps: 5 }, everyMs(0, 2000, 20));
    for (let i = 1; i < at5.length - 1; i++) expect(at5[i].ptsMs - at5[i - 1].ptsMs).toBeGreaterThanOrEqual(200);
  });

  test("takes frames only when the picture changed; idle stretches produce none", () => {
    const messages = [{ t: 0, changed: true }, ...everyMs(30, 10_000, 30, false), { t: 10_050, changed: true }, ...everyMs(10_080, 20_000, 40, false)];
    const { frames } = replay({ mode: "import" }, messages);
    expect(frames.map((f) => f.ptsMs)).toEqual([0, 10_050]);
  });

  test("whatever the screen showed at t is in the video by t + 100 ms", () => {
    // Bursts of tiles sharing a timestamp at irregular times, with mouse moves in between.
    const messages: Message[] = [];
    let t = 0;
    for (let burst = 0; burst < 200; burst++) {
      const tiles = 1 + ((burst * 7) % 5);
      for (let k = 0; k < tiles; k++) messages.push({ t, changed: true });
      messages.push({ t: t + 7, changed: false });
      t += 37 + ((burst * 53) % 140);
    }
    const { frames, shownAfter } = replay({ mode: "import" }, messages);
    for (const [i, m] of messages.entries()) {
      if (!m.changed) continue;
      // The first frame taken after message i was applied shows it.
      const f = shownAfter.findIndex((after) => after >= i);
      expect(f).toBeGreaterThanOrEqual(0);
      expect(frames[f].ptsMs).toBeGreaterThanOrEqual(m.t);
      expect(frames[f].ptsMs - m.t).toBeLessThanOrEqual(100);
    }
    for (let i = 1; i < frames.length; i++) expect(frames[i].ptsMs).toBeGreaterThan(frames[i - 1].ptsMs);
  });

  test("a frame never shows a message stamped after its pts", () => {
    const messages = everyMs(0, 3000, 45);
    const { frames, shownAfter } = replay({ mode: "import" }, messages);
    for (const [k, f] of frames.entries()) {
      if (shownAfter[k] >= 0) expect(messages[shownAfter[k]].t).toBeLessThanOrEqual(f.ptsMs);
      const nextMessage = messages[shownAfter[k] + 1];
      if (nextMessage) expect(nextMessage.t).toBeGreaterThan(f.ptsMs);
    }
  });

  test("keyframes every keyframeMs of session time, or every N frames", () => {
    const { frames } = replay({ mode: "import", keyframeMs: 3000 }, everyMs(0, 10_000, 50));
    expect(frames.filter((f) => f.forceKey).map((f) => f.ptsMs)).toEqual([0, 3000, 6000, 9000]);
    const byCount = replay({ mode: "import", keyframeMs: 60_000, maxFramesPerKeyframe: 7 }, everyMs(0, 2000, 100)).frames;
    const keyIndexes = byCount.flatMap((f, i) => (f.forceKey ? [i] : []));
    expect(keyIndexes).toEqual([0, 7, 14]);
    // After an idle stretch the first frame is a keyframe (more than keyframeMs since the last one).
    const idle = replay({ mode: "import" }, [{ t: 0, changed: true }, { t: 500, changed: true }, { t: 9000, changed: true }, { t: 9100, changed: false }]).frames;
    expect(idle.map((f) => [f.ptsMs, f.forceKey])).toEqual([[0, true], [500, false], [9000, true]]);
  });

  test("live: the last change before an idle stretch is flushed after a quiet period", () => {
    const s = new FrameScheduler({ mode: "live", quietMs: 150 });
    expect(s.beforeMessage(1000)).toBeNull();
    s.afterMessage(1000, true, 50_000);
    expect(s.poll(50_000 + 100)).toBeNull(); // not quiet long enough
    expect(s.poll(50_000 + 160)).toEqual({ ptsMs: 1000, forceKey: true });
    expect(s.poll(50_000 + 400)).toBeNull(); // nothing pending any more
    // A change 40 ms after that frame waits for the rate cap: pts = previous + 100.
    s.afterMessage(1040, true, 50_500);
    expect(s.poll(50_500 + 200)).toEqual({ ptsMs: 1100, forceKey: false });
    // Import mode has no wall clock: poll never fires.
    const imp = new FrameScheduler({ mode: "import" });
    imp.afterMessage(0, true, 0);
    expect(imp.poll(1_000_000)).toBeNull();
  });

  test("finish flushes the pending picture no later than the end", () => {
    const s = new FrameScheduler({ mode: "import" });
    s.afterMessage(0, true);
    expect(s.beforeMessage(40)).toEqual({ ptsMs: 0, forceKey: true });
    s.afterMessage(40, true);
    expect(s.finish(60)).toEqual({ ptsMs: 60, forceKey: false });
    expect(s.finish(70)).toBeNull();
  });

  test("a slow encoder degrades the frame rate of a live session instead of queueing", () => {
    // Discrete-event model: a message dirties the picture every 40 ms of real time; each frame costs
    // `encodeMs` of worker time; applying a message is free. Lag = newest arrived - being processed.
    function simulate(encodeMs: number, degrade: boolean) {
      const s = new FrameScheduler({ mode: "live", lagToleranceMs: degrade ? 300 : 1e12 });
      const arrivals = everyMs(0, 30_000, 40);
      let wall = 0;
      let maxLag = 0;
      let frames = 0;
      for (const m of arrivals) {
        wall = Math.max(wall, m.t); // the worker cannot process a message before it arrives
        const newestArrived = Math.floor(wall / 40) * 40;
        const lag = newestArrived - m.t;
        maxLag = Math.max(maxLag, lag);
        if (s.beforeMessage(m.t, lag)) {
          frames++;
          wall += encodeMs;
        }
        s.afterMessage(m.t, true, wall);
      }
      const last = s.finish(30_000);
      return { maxLag, frames: frames + (last ? 1 : 0), stats: s.stats, last };
    }
    const fast = simulate(20, true);
    expect(fast.maxLag).toBeLessThan(100);
    expect(fast.stats.droppedFrames).toBe(0);
    expect(fast.frames).toBeGreaterThan(290);

    const slowNoDegrade = simulate(250, false);
    expect(slowNoDegrade.maxLag).toBeGreaterThan(10_000); // the backlog grows without bound

    const slow = simulate(250, true);
    expect(slow.maxLag).toBeLessThan(2500);
    expect(slow.stats.droppedFrames).toBeGreaterThan(50);
    expect(slow.frames).toBeGreaterThan(20);
    expect(slow.last?.ptsMs).toBe(30_000); // the latest picture still makes it into the video
    console.log(
      `slow encoder (250 ms/frame, 25 changes/s): max lag ${slow.maxLag} ms with degradation vs ${slowNoDegrade.maxLag} ms without; ` +
        `${slow.frames} frames, ${slow.stats.droppedFrames} dropped`,
    );
  });

  test("import mode never degrades, whatever the backlog", () => {
    const s = new FrameScheduler({ mode: "import" });
    const pts: number[] = [];
    for (const m of everyMs(0, 1000, 10)) {
      const f = s.beforeMessage(m.t, 1_000_000);
      if (f) pts.push(f.ptsMs);
      s.afterMessage(m.t, true);
    }
    expect(pts).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(s.stats.droppedFrames).toBe(0);
  });

  test("rejects nonsense options", () => {
    expect(() => new FrameScheduler({ mode: "live", maxFps: 0 })).toThrow(RangeError);
    expect(() => new FrameScheduler({ mode: "live", keyframeMs: 10 })).toThrow(RangeError);
  });
});

/** A session with bursts, mouse-only stretches and an idle gap, as times and changed flags. */
function busySession(): Message[] {
  const messages: Message[] = [];
  let t = 0;
  for (let burst = 0; burst < 300; burst++) {
    const tiles = (burst * 7) % 4;
    for (let k = 0; k < tiles; k++) messages.push({ t, changed: true });
    messages.push({ t: t + 3, changed: false });
    t += 20 + ((burst * 53) % 170) + (burst === 150 ? 6000 : 0);
  }
  return messages;
}

/** Import replay of one window: every message applied, only the window's decisions kept. */
function replayWindow(window: EncodeWindow, messages: Message[], endMs: number): FrameDecision[] {
  const s = new FrameScheduler({ mode: "import" });
  const w = new WindowedFrames(window);
  const out: FrameDecision[] = [];
  const take = (d: FrameDecision | null) => {
    const chosen = d && w.select(d);
    if (chosen) out.push(chosen);
  };
  for (const m of messages) {
    take(s.beforeMessage(m.t));
    s.afterMessage(m.t, m.changed);
  }
  take(s.finish(endMs));
  return out;
}

describe("live bursts", () => {
  /** Feeds changes at the given session times (ms), arriving at the same wall times; returns the frames. */
  function live(times: number[], options: Partial<SchedulerOptions> = {}): FrameDecision[] {
    const s = new FrameScheduler({ mode: "live", ...options });
    const frames: FrameDecision[] = [];
    for (const t of times) {
      const f = s.beforeMessage(t);
      if (f) frames.push(f);
      s.afterMessage(t, true, t);
    }
    const last = times.at(-1) ?? 0;
    const flushed = s.poll(last + 1000);
    if (flushed) frames.push(flushed);
    return frames;
  }

  test("the tiles of one update, stamped a few ms apart, make one frame, not a partial one first", () => {
    const burst = Array.from({ length: 25 }, (_, i) => i); // 0..24 ms
    const next = Array.from({ length: 5 }, (_, i) => 300 + i);
    const frames = live([...burst, ...next]);
    expect(frames.map((f) => f.ptsMs)).toEqual([24, 304]);
  });

  test("a burst that goes on longer than a frame interval still gets frames at the frame rate", () => {
    const scroll = Array.from({ length: 100 }, (_, i) => i * 10); // a change every 10 ms for 1 s
    const frames = live(scroll);
    expect(frames.length).toBeGreaterThanOrEqual(8);
    for (let i = 1; i < frames.length; i++) expect(frames[i].ptsMs - frames[i - 1].ptsMs).toBeGreaterThanOrEqual(100);
  });

  test("burstMs 0 restores taking the frame at the next later message", () => {
    expect(live([0, 1, 2], { burstMs: 0 }).map((f) => f.ptsMs)).toEqual([0, 100]);
  });
});

describe("encode windows", () => {
  const messages = busySession();
  const endMs = messages[messages.length - 1].t + 500;
  const single = replay({ mode: "import" }, messages, endMs).frames;

  test("windows joined give the single run's frame times; only window starts become keyframes", () => {
    expect(single.length).toBeGreaterThan(100);
    const cuts = [single[40].ptsMs, single[41].ptsMs - 1, single[90].ptsMs + 7, single[151].ptsMs - 30];
    const bounds = [0, ...cuts.sort((a, b) => a - b)];
    const windows = bounds.map((fromMs, k): EncodeWindow => ({ fromMs, untilMs: bounds[k + 1] ?? null }));
    const joined = windows.flatMap((w) => replayWindow(w, messages, endMs));
    expect(joined.map((f) => f.ptsMs)).toEqual(single.map((f) => f.ptsMs));
    const firstOfWindow = new Set(windows.map((w) => single.find((f) => f.ptsMs >= w.fromMs)?.ptsMs));
    joined.forEach((f, i) => {
      if (firstOfWindow.has(f.ptsMs)) expect(f.forceKey).toBe(true);
      else expect(f.forceKey).toBe(single[i].forceKey);
    });
  });

  test("a window over an idle stretch starts at the next frame, with nothing duplicated", () => {
    const gap = single.findIndex((f, i) => i > 0 && f.ptsMs - single[i - 1].ptsMs > 5000);
    expect(gap).toBeGreaterThan(0);
    const cut = single[gap - 1].ptsMs + 2000;
    const first = replayWindow({ fromMs: 0, untilMs: cut }, messages, endMs);
    const second = replayWindow({ fromMs: cut, untilMs: null }, messages, endMs);
    expect(first.at(-1)?.ptsMs).toBe(single[gap - 1].ptsMs);
    expect(second[0]).toEqual({ ptsMs: single[gap].ptsMs, forceKey: true });
    expect(first.length + second.length).toBe(single.length);
  });

  test("after a message at windowSettledAt(until), no frame before `until` is decided any more", () => {
    for (const until of [1000, 5003, 12_345, single[70].ptsMs, single[70].ptsMs + 1]) {
      const s = new FrameScheduler({ mode: "import" });
      let settled = false;
      const check = (d: FrameDecision | null) => {
        if (d && settled) expect(d.ptsMs).toBeGreaterThanOrEqual(until);
      };
      for (const m of messages) {
        check(s.beforeMessage(m.t));
        s.afterMessage(m.t, m.changed);
        if (m.t >= windowSettledAt(until)) settled = true;
      }
      check(s.finish(endMs));
      expect(settled).toBe(true);
    }
  });

  test("rejects windows that are not windows", () => {
    expect(() => new WindowedFrames({ fromMs: 100, untilMs: 100 })).toThrow(RangeError);
    expect(() => new WindowedFrames({ fromMs: -1, untilMs: null })).toThrow(RangeError);
  });
});
