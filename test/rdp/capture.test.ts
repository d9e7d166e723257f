// The real RemoteFX capture (FreeRDP shadow server → xfreerdp) replayed through the decoder: the screen must
// match the client's own pictures and the pointer must follow the server's pointer updates.
import { describe, expect, test } from "bun:test";
import { createRdpDecoder } from "../../src/rdp/decoder";
import { psnrRgba, readRdpCapture, readTruth, truthPicture } from "./capture";

const capture = readRdpCapture();
const truth = readTruth();

// The client paints a frame some tens of ms after its last PDU arrives (and the screenshot is not instant),
// so the picture at t shows the screen as it was at some moment in (t − CLIENT_LAG_MS, t].
const CLIENT_LAG_MS = 60;

describe("rdp-shadow-720 (RemoteFX, real server and client)", () => {
  test("is a 1280×720 capture of fast-path PDUs", () => {
    expect(capture.width).toBe(1280);
    expect(capture.height).toBe(720);
    expect(capture.pdus.length).toBe(410);
  });

  test("the screen matches the client's picture at every truth time (PSNR ≥ 40 dB)", async () => {
    const decoder = createRdpDecoder(capture.width, capture.height);
    let next = 0;
    const results: { file: string; psnr: number }[] = [];
    for (const frame of truth.frames) {
      const picture = await truthPicture(frame.file);
      expect(picture.width).toBe(1280);
      while (next < capture.pdus.length && capture.pdus[next]!.delayMs <= frame.t_ms - CLIENT_LAG_MS) {
        const r = decoder.apply(capture.pdus[next++]!.pdu);
        expect(r.problems).toEqual([]);
      }
      let best = psnrRgba(decoder.rgba, picture.rgba);
      while (next < capture.pdus.length && capture.pdus[next]!.delayMs <= frame.t_ms) {
        const r = decoder.apply(capture.pdus[next++]!.pdu);
        expect(r.problems).toEqual([]);
        best = Math.max(best, psnrRgba(decoder.rgba, picture.rgba));
      }
      results.push({ file: frame.file, psnr: best });
    }
    console.log("rdp-shadow-720 PSNR vs client:", results.map((r) => `${r.file} ${r.psnr.toFixed(2)} dB`).join(", "));
    for (const r of results) expect(r.psnr).toBeGreaterThanOrEqual(40);
    expect(decoder.stats.problems).toEqual({});
    expect(decoder.stats.rfxTiles).toBeGreaterThan(1000);
  }, 120_000);

  test("every frame decodes without a problem, tiles and frames as the capture's histogram counts them", () => {
    const decoder = createRdpDecoder(capture.width, capture.height);
    let dirtyPixels = 0;
    for (const { pdu } of capture.pdus) {
      const r = decoder.apply(pdu);
      expect(r.problems).toEqual([]);
      for (const d of r.dirty) {
        expect(d.left).toBeGreaterThanOrEqual(0);
        expect(d.top).toBeGreaterThanOrEqual(0);
        expect(d.right).toBeLessThanOrEqual(1280);
        expect(d.bottom).toBeLessThanOrEqual(720);
        dirtyPixels += (d.right - d.left) * (d.bottom - d.top);
      }
    }
    // histogram.txt: 76 RemoteFX frames, 2576 tiles in all; 44 + 32 surface-command updates.
    expect(decoder.stats.rfxFrames).toBe(76);
    expect(decoder.stats.rfxTiles).toBe(2576);
    expect(decoder.stats.updates).toBe(44 + 32 + 3 + 3 + 24);
    expect(dirtyPixels).toBeGreaterThan(1280 * 720);
  }, 120_000);

  test("the pointer follows the server: positions, new shapes and the cache", () => {
    const decoder = createRdpDecoder(capture.width, capture.height);
    let next = 0;
    let changes = 0;
    for (const event of truth.pointer) {
      while (next < capture.pdus.length && capture.pdus[next]!.delayMs <= event.ms) {
        if (decoder.apply(capture.pdus[next++]!.pdu).pointerChanged) changes++;
      }
      const position = /PTR_POSITION x=(\d+) y=(\d+)/.exec(event.what);
      const shape = /PTR_POINTER\(new\) xorBpp=24 cacheIndex=0 hotspot=\((\d+),(\d+)\) (\d+)x(\d+)/.exec(event.what);
      if (position) {
        // Later events at the same millisecond may already have moved it; the last position at that ms counts.
        const last = [...truth.pointer].reverse().find((e) => e.ms === event.ms && e.what.startsWith("PTR_POSITION"))!;
        expect(`PTR_POSITION x=${decoder.pointer.x} y=${decoder.pointer.y}`).toBe(last.what);
      } else if (shape) {
        const s = decoder.pointer.shape!;
        expect(s).not.toBeNull();
        expect([s.hotX, s.hotY, s.width, s.height]).toEqual(shape.slice(1).map(Number));
        expect(s.rgba.length).toBe(s.width * s.height * 4);
        // A real cursor: some opaque pixels, some transparent ones.
        let opaque = 0;
        for (let i = 3; i < s.rgba.length; i += 4) if (s.rgba[i] === 255) opaque++;
        expect(opaque).toBeGreaterThan(10);
        expect(opaque).toBeLessThan(s.width * s.height);
      }
      expect(decoder.pointer.visible).toBe(true);
    }
    expect(changes).toBeGreaterThanOrEqual(20);
  }, 60_000);
});
