import { describe, expect, test } from "bun:test";
import { createCanvas } from "@napi-rs/canvas";
import { encodeMessage } from "../../src/tdp/codec.ts";
import { MessageType } from "../../src/tdp/messages.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { Compositor } from "../../src/video/compose/compositor.ts";
import { placeScreen, videoSizeFor } from "../../src/video/compose/fit.ts";

import { CORPUS_DIR as CORPUS } from "../support/corpusPath.ts";
import { pngPixels } from "../support/pngPixels.ts";
import { pngFromScanlines } from "../../src/png/write.ts";
import { applyWire } from "./helpers/pictures.ts";

interface TruthFrame {
  file: string;
  t_ms: number;
  width: number;
  height: number;
}

/** Pixels whose R, G or B differ (alpha ignored: the truth is RGB). */
function differingPixels(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) count++;
  }
  return count;
}

function solidPng(width: number, height: number, colour: string): Uint8Array {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = colour;
  ctx.fillRect(0, 0, width, height);
  return new Uint8Array(canvas.toBuffer("image/png"));
}

function screenSpec(width: number, height: number): Uint8Array {
  return encodeMessage({ type: MessageType.ClientScreenSpec, width, height });
}

/** ClientScreenSpec bytes built by hand, so sizes the encoder refuses can be sent. */
function rawScreenSpec(width: number, height: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = MessageType.ClientScreenSpec;
  new DataView(out.buffer).setUint32(1, width);
  new DataView(out.buffer).setUint32(5, height);
  return out;
}

function tile(left: number, top: number, right: number, bottom: number, png: Uint8Array): Uint8Array {
  return encodeMessage({ type: MessageType.PNGFrame, left, top, right, bottom, png });
}

function tile2(left: number, top: number, right: number, bottom: number, png: Uint8Array): Uint8Array {
  return encodeMessage({ type: MessageType.PNG2Frame, left, top, right, bottom, png });
}

/** A PNG with valid chunk CRCs whose IDAT inflates to too few bytes: only a full decode notices. */
function shortIdatPng(width: number, height: number): Uint8Array {
  return pngFromScanlines({ width, height, bitDepth: 8, colorType: 2 }, new Uint8Array((1 + width * 3) * height - 10));
}

describe("compositor vs the sample-720 ground truth", () => {
  test("composing up to each truth time reproduces the screenshot pixel for pixel", async () => {
    const records = readTdpcap(new Uint8Array(await Bun.file(`${CORPUS}/sample-720.tdpcap`).arrayBuffer()));
    const truth = (await Bun.file(`${CORPUS}/sample-720.truth/truth.json`).json()) as { frames: TruthFrame[] };
    expect(truth.frames.length).toBe(8);
    const compositor = new Compositor();
    let next = 0;
    const results: string[] = [];
    for (let i = 0; i <= records.length && next < truth.frames.length; i++) {
      const frame = truth.frames[next];
      if (i === records.length || records[i].delayMs > frame.t_ms) {
        const expected = await pngPixels(new Uint8Array(await Bun.file(`${CORPUS}/sample-720.truth/${frame.file}`).arrayBuffer()));
        expect(compositor.screenSize).toEqual({ width: frame.width, height: frame.height });
        const got = compositor.takeFrame({ width: frame.width, height: frame.height });
        const diff = differingPixels(got, expected.rgba);
        results.push(`${frame.file}: ${diff} differing pixels`);
        expect(diff).toBe(0);
        next++;
        i--;
        continue;
      }
      const outcome = applyWire(compositor, records[i].data);
      expect(outcome.kind).not.toBe("rejected");
    }
    expect(next).toBe(truth.frames.length);
    console.log(results.join("\n"));
  }, 30_000);
});

describe("compositor rejects bad tiles without touching the picture", () => {
  const red = solidPng(64, 64, "#f00");

  function freshScreen(): Compositor {
    const c = new Compositor();
    expect(applyWire(c, screenSpec(128, 96)).kind).toBe("resized");
    expect(applyWire(c, tile(0, 0, 64, 64, red)).kind).toBe("drawn");
    c.takeFrame({ width: 128, height: 96 });
    return c;
  }

  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["a PNG with a corrupted byte (CRC mismatch)", tile(64, 0, 128, 64, red.map((b, i) => (i === 60 ? b ^ 0xff : b))), /does not decode.*CRC/],
    ["a truncated PNG", tile(64, 0, 128, 64, red.subarray(0, red.length - 20)), /does not decode/],
    ["a PNG whose pixel data is short", tile(64, 0, 128, 64, shortIdatPng(64, 64)), /IDAT holds/],
    ["garbage instead of a PNG", tile(64, 0, 128, 64, new Uint8Array(64).fill(7)), /PNG/],
    ["a PNG of the wrong size", tile(64, 0, 128, 64, solidPng(32, 32, "#0f0")), /32x32.*64x64/],
    ["a PNG2Frame of the wrong size (inclusive edges)", tile2(10, 10, 74, 74, solidPng(64, 64, "#0f0")), /64x64.*65x65/],
    ["a tile outside the screen", tile(100, 64, 164, 128, solidPng(64, 64, "#0f0")), /outside the 128x96 screen/],
    ["a screen larger than 8192", rawScreenSpec(9000, 100), /outside 1x1..8192x8192/],
  ];

  for (const [name, bytes, reason] of cases) {
    test(name, () => {
      const c = freshScreen();
      const before = c.takeFrame({ width: 128, height: 96 });
      const outcome = applyWire(c, bytes);
      expect(outcome.kind).toBe("rejected");
      if (outcome.kind === "rejected") expect(outcome.reason).toMatch(reason);
      expect(c.dirty).toBe(false);
      expect(c.screenSize).toEqual({ width: 128, height: 96 });
      const after = c.takeFrame({ width: 128, height: 96 });
      expect(differingPixels(before, after)).toBe(0);
      expect(after[0]).toBe(255); // the red tile is still there
    });
  }

  test("a tile before any ClientScreenSpec is rejected", () => {
    const outcome = applyWire(new Compositor(), tile(0, 0, 64, 64, red));
    expect(outcome).toEqual({ kind: "rejected", reason: "PNGFrame before any ClientScreenSpec" });
  }, 30_000);

  test("a message whose length disagrees with its layout is rejected", () => {
    const outcome = applyWire(new Compositor(), screenSpec(64, 64).subarray(0, 7));
    expect(outcome.kind).toBe("rejected");
  }, 30_000);
});

describe("dirty tracking, resize and letterboxing", () => {
  test("only picture messages dirty the picture", () => {
    const c = new Compositor();
    applyWire(c, screenSpec(64, 64));
    expect(c.dirty).toBe(true);
    c.takeFrame({ width: 64, height: 64 });
    expect(c.dirty).toBe(false);
    expect(applyWire(c, encodeMessage({ type: MessageType.MouseMove, x: 3, y: 4 })).kind).toBe("ignored");
    expect(c.dirty).toBe(false);
    expect(applyWire(c, tile2(0, 0, 31, 31, solidPng(32, 32, "#00f"))).kind).toBe("drawn");
    expect(c.dirty).toBe(true);
  }, 30_000);

  test("a resize clears to black and is letterboxed into the first video size", () => {
    const c = new Compositor();
    applyWire(c, screenSpec(200, 100));
    applyWire(c, tile(0, 0, 64, 64, solidPng(64, 64, "#fff")));
    const video = videoSizeFor({ width: 200, height: 100 });
    expect(video).toEqual({ width: 200, height: 100 });
    applyWire(c, screenSpec(100, 100));
    expect(c.screenSize).toEqual({ width: 100, height: 100 });
    applyWire(c, tile(0, 0, 100, 100, solidPng(100, 100, "#fff")));
    const frame = c.takeFrame(video);
    // A square screen fitted into 200x100: a 100x100 white square centred at x 50..150, black bars.
    const px = (x: number, y: number) => frame[(y * video.width + x) * 4];
    expect(px(10, 50)).toBe(0);
    expect(px(190, 50)).toBe(0);
    expect(px(55, 5)).toBe(255);
    expect(px(145, 95)).toBe(255);
    expect(placeScreen({ width: 100, height: 100 }, video)).toEqual({ x: 50, y: 0, width: 100, height: 100, unscaled: true });
  }, 30_000);

  test("video size is even and never crops; odd screens are padded, huge ones scaled down", () => {
    expect(videoSizeFor({ width: 1281, height: 721 })).toEqual({ width: 1282, height: 722 });
    expect(placeScreen({ width: 1281, height: 721 }, { width: 1282, height: 722 }).unscaled).toBe(true);
    const big = videoSizeFor({ width: 8192, height: 8192 });
    expect(big.width * big.height).toBeLessThanOrEqual(3840 * 2160 + 2 * 8192);
    expect(big.width % 2 + (big.height % 2)).toBe(0);
    const p = placeScreen({ width: 1920, height: 1200 }, { width: 1280, height: 720 });
    expect(p.height).toBe(720);
    expect(p.width).toBe(1152);
    expect(p.x).toBe(64);
  }, 30_000);

  test("thumbnail is a small PNG of the screen", async () => {
    const c = new Compositor();
    expect(c.thumbnailPng()).toBeNull();
    applyWire(c, screenSpec(1280, 720));
    applyWire(c, tile(0, 0, 64, 64, solidPng(64, 64, "#f00")));
    const png = c.thumbnailPng(320);
    expect(png).not.toBeNull();
    const decoded = await pngPixels(png ?? new Uint8Array());
    expect(decoded.width).toBe(320);
    expect(decoded.height).toBe(180);
    expect(decoded.rgba[0]).toBeGreaterThan(200);
  }, 30_000);
});
