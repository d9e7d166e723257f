import { beforeAll, describe, expect, test } from "bun:test";
import { decodeMessage, validateTile } from "../../src/tdp/codec.ts";
import { MessageType, tileRect, type TdpMessage } from "../../src/tdp/messages.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { DesktopScene } from "../../tools/demo/scene.ts";
import { demoSessionRecords, generateDemoSession, writeDemoCapture, type DemoRecord } from "../../tools/demo/session.ts";
import { ScreenComposer, differingPixels } from "./compose.ts";

const OPTS = { width: 640, height: 360, durationS: 30, seed: 7 } as const;

interface Decoded {
  delayMs: number;
  data: Uint8Array;
  m: TdpMessage;
}

let records: DemoRecord[] = [];
let decoded: Decoded[] = [];
let scene: DesktopScene;

beforeAll(async () => {
  records = [];
  for await (const r of generateDemoSession(OPTS)) records.push(r);
  decoded = records.map((r) => ({ ...r, m: decodeMessage(r.data) }));
  scene = new DesktopScene(OPTS);
});

const isTile = (m: TdpMessage): boolean => m.type === MessageType.PNGFrame || m.type === MessageType.PNG2Frame;
const tilesAt = (t: number): Decoded[] => decoded.filter((d) => d.delayMs === t && isTile(d.m));
const specs = (): Decoded[] => decoded.filter((d) => d.m.type === MessageType.ClientScreenSpec);

/** Counts how many tiles cover each pixel of a width x height screen. */
function coverage(tiles: Decoded[], width: number, height: number): Uint8Array {
  const counts = new Uint8Array(width * height);
  for (const { m } of tiles) {
    if (m.type !== MessageType.PNGFrame && m.type !== MessageType.PNG2Frame) continue;
    const r = tileRect(m);
    expect(r.right).toBeLessThanOrEqual(width);
    expect(r.bottom).toBeLessThanOrEqual(height);
    for (let y = r.top; y < r.bottom; y++) for (let x = r.left; x < r.right; x++) counts[y * width + x]++;
  }
  return counts;
}

describe("generated demo session", () => {
  test("starts with ClientScreenSpec at 0, times never decrease, ends at the duration", () => {
    expect(decoded[0].delayMs).toBe(0);
    expect(decoded[0].m).toEqual({ type: MessageType.ClientScreenSpec, width: 640, height: 360 });
    for (let i = 1; i < decoded.length; i++) expect(decoded[i].delayMs).toBeGreaterThanOrEqual(decoded[i - 1].delayMs);
    expect(decoded[decoded.length - 1].delayMs).toBe(30_000);
  });

  test("every message decodes and re-validates; tiles sit on the 64x64 grid and their PNG fits", () => {
    const types = new Set(decoded.map((d) => d.m.type));
    for (const t of types) {
      expect([MessageType.ClientScreenSpec, MessageType.PNGFrame, MessageType.PNG2Frame, MessageType.MouseMove, MessageType.MouseButton, MessageType.ClipboardData, MessageType.Alert]).toContain(t);
    }
    for (const { m } of decoded) {
      if (m.type !== MessageType.PNGFrame && m.type !== MessageType.PNG2Frame) continue;
      validateTile(m);
      const r = tileRect(m);
      expect(r.left % 64).toBe(0);
      expect(r.top % 64).toBe(0);
      expect(r.right - r.left).toBeLessThanOrEqual(64);
      expect(r.bottom - r.top).toBeLessThanOrEqual(64);
    }
  });

  test("the first frame covers the screen exactly once", () => {
    const first = tilesAt(0);
    expect(first.length).toBe(10 * 6); // 640/64 x ceil(360/64), bottom row 64x40
    const counts = coverage(first, 640, 360);
    expect(counts.every((c) => c === 1)).toBe(true);
  });

  test("exactly one resize, to 534x300, followed at once by tiles covering the new screen exactly", () => {
    const all = specs();
    expect(all.length).toBe(2);
    const resize = all[1];
    expect(resize.m).toEqual({ type: MessageType.ClientScreenSpec, width: 534, height: 300 });
    expect(resize.delayMs).toBe(scene.resize.atMs);
    const index = decoded.indexOf(resize);
    const after = tilesAt(resize.delayMs);
    expect(decoded.slice(index + 1, index + 1 + after.length).every((d) => isTile(d.m))).toBe(true);
    const counts = coverage(after, 534, 300);
    expect(counts.every((c) => c === 1)).toBe(true);
    // Nothing after the resize refers to the old, larger screen.
    for (const { m } of decoded.slice(index)) {
      if (m.type === MessageType.MouseMove) {
        expect(m.x).toBeLessThan(534);
        expect(m.y).toBeLessThan(300);
      }
    }
  });

  test("composing the tiles reproduces the scene's own frames pixel for pixel", async () => {
    const burstTimes = [...new Set(decoded.filter((d) => isTile(d.m)).map((d) => d.delayMs))];
    const biggest = burstTimes.reduce((a, b) => (tilesAt(b).length > tilesAt(a).length && b !== 0 && b !== scene.resize.atMs ? b : a), burstTimes[1]);
    const idle = scene.idleStretches[0];
    const checks = [
      0,
      burstTimes[3],
      biggest, // the heaviest change (scrolling)
      burstTimes[burstTimes.indexOf(scene.resize.atMs) - 1], // the last picture before the resize
      scene.resize.atMs,
      Math.round((idle.startMs + idle.endMs) / 2),
      burstTimes[burstTimes.length - 1],
      30_000,
    ];
    const composer = new ScreenComposer();
    let next = 0;
    for (const t of [...new Set(checks)].sort((a, b) => a - b)) {
      for (; next < decoded.length && decoded[next].delayMs <= t; next++) await composer.apply(decoded[next].m);
      const expected = new DesktopScene(OPTS).frameAt(t);
      const composed = composer.pixels();
      expect(composer.canvas?.width).toBe(expected.width);
      expect({ t, differing: differingPixels(composed, expected.pixels) }).toEqual({ t, differing: 0 });
    }
  });

  test("idle stretches have no tiles and no input for seconds", () => {
    expect(scene.idleStretches.length).toBeGreaterThanOrEqual(1);
    const idle = scene.idleStretches[0];
    expect(idle.endMs - idle.startMs).toBeGreaterThanOrEqual(3000);
    const inside = decoded.filter((d) => d.delayMs > idle.startMs && d.delayMs < idle.endMs);
    expect(inside).toEqual([]);
  });

  test("a clipboard copy of text shown in the document, and an alert", () => {
    const clips = decoded.flatMap((d) => (d.m.type === MessageType.ClipboardData ? [new TextDecoder().decode(d.m.data)] : []));
    expect(clips.length).toBeGreaterThanOrEqual(1);
    expect(clips[0].length).toBeGreaterThan(5);
    expect(scene.script.document.some((line) => line.text.includes(clips[0]))).toBe(true);
    expect(decoded.some((d) => d.m.type === MessageType.Alert)).toBe(true);
  });

  test("tiles mix PNGFrame and PNG2Frame about 70/30; tiles come in bursts about 100 ms apart", () => {
    const tiles = decoded.filter((d) => isTile(d.m));
    const share27 = tiles.filter((d) => d.m.type === MessageType.PNG2Frame).length / tiles.length;
    expect(tiles.length).toBeGreaterThan(200);
    expect(share27).toBeGreaterThan(0.2);
    expect(share27).toBeLessThan(0.4);
    const times = [...new Set(tiles.map((d) => d.delayMs))].filter((t) => t !== scene.resize.atMs);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(90);
  });

  test("the pointer moves about 30 times a second and clicks", () => {
    const moves = decoded.filter((d) => d.m.type === MessageType.MouseMove).map((d) => d.delayMs);
    const steps = moves.slice(1).map((t, i) => t - moves[i]).filter((g) => g < 100);
    steps.sort((a, b) => a - b);
    const median = steps[steps.length >> 1];
    expect(median).toBeGreaterThanOrEqual(28);
    expect(median).toBeLessThanOrEqual(38);
    expect(decoded.filter((d) => d.m.type === MessageType.MouseButton).length).toBeGreaterThanOrEqual(4);
  });

  test("the same seed gives the same bytes; another seed does not", () => {
    const again = [...demoSessionRecords(OPTS)];
    expect(again.length).toBe(records.length);
    expect(again.every((r, i) => r.delayMs === records[i].delayMs && Buffer.from(r.data).equals(Buffer.from(records[i].data)))).toBe(true);
    const other = [...demoSessionRecords({ ...OPTS, seed: 8, durationS: 6 })];
    const prefix = records.filter((r) => r.delayMs <= 6000);
    expect(other.length === prefix.length && other.every((r, i) => Buffer.from(r.data).equals(Buffer.from(prefix[i].data)))).toBe(false);
  });

  test("writeDemoCapture stores the same records as a .tdpcap", async () => {
    const path = `${process.env.TMPDIR ?? "/tmp"}/deskreel-demo-test-${process.pid}.tdpcap`;
    const stats = await writeDemoCapture(path, { ...OPTS, durationS: 5 });
    const back = readTdpcap(await Bun.file(path).bytes());
    const direct = [...demoSessionRecords({ ...OPTS, durationS: 5 })];
    expect(back.length).toBe(direct.length);
    expect(stats.messages).toBe(direct.length);
    expect(back.every((r, i) => r.delayMs === direct[i].delayMs && Buffer.from(r.data).equals(Buffer.from(direct[i].data)))).toBe(true);
    await Bun.file(path).delete();
  });
});
