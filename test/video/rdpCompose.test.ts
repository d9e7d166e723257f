// The compositor in the RDP era: the real RemoteFX capture (rdp-shadow-720) drawn through the same screen as
// PNG tiles, the pointer overlaid where the client shows it, and bad RDP input skipped without harm.
import { describe, expect, test } from "bun:test";
import { createCanvas } from "@napi-rs/canvas";
import { MessageType, type PictureMessage } from "../../src/tdp/messages.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { Compositor } from "../../src/video/compose/compositor.ts";
import { psnrRgba, RDP_SHADOW_CAPTURE, readTruth, truthPicture } from "../rdp/capture.ts";
import { pictureRecords, type PictureRecord } from "./helpers/pictures.ts";

const records = pictureRecords(readTdpcap(new Uint8Array(await Bun.file(RDP_SHADOW_CAPTURE).arrayBuffer())));
const truth = readTruth();
const VIDEO = { width: 1280, height: 720 };
/** The client paints some tens of ms after the PDU arrives: its picture at t is the screen at a moment in (t − 60, t]. */
const CLIENT_LAG_MS = 60;

function rgbaOf(frame: Uint8ClampedArray): Uint8Array {
  return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength).slice();
}

/** Applies records up to and including time `untilMs`, from `next`; returns the new position. */
function applyUntil(c: Compositor, from: number, untilMs: number, list: PictureRecord[] = records): number {
  let next = from;
  while (next < list.length && list[next].delayMs <= untilMs) {
    const outcome = c.apply(list[next++].message);
    expect(outcome.kind).not.toBe("rejected");
    if ("problems" in outcome) expect(outcome.problems ?? []).toEqual([]);
  }
  return next;
}

describe("RDP-era sessions in the compositor", () => {
  test("the capture is a 31 then 29s: all picture messages", () => {
    expect(records[0].message.type).toBe(MessageType.RDPConnectionActivated);
    expect(records.slice(1).every((r) => r.message.type === MessageType.RDPFastPathPDU)).toBe(true);
    expect(records.length).toBe(411);
  });

  test("frames match the client's pictures at every truth time (PSNR >= 40 dB, pointer off)", async () => {
    const c = new Compositor({ pointer: false });
    let next = 0;
    const report: string[] = [];
    for (const frame of truth.frames) {
      const picture = await truthPicture(frame.file);
      next = applyUntil(c, next, frame.t_ms - CLIENT_LAG_MS);
      let best = psnrRgba(rgbaOf(c.takeFrameUpdate(VIDEO).rgba), picture.rgba);
      while (next < records.length && records[next].delayMs <= frame.t_ms) {
        next = applyUntil(c, next, records[next].delayMs);
        best = Math.max(best, psnrRgba(rgbaOf(c.takeFrameUpdate(VIDEO).rgba), picture.rgba));
      }
      report.push(`${frame.file} ${best.toFixed(1)} dB`);
      expect(best).toBeGreaterThanOrEqual(40);
    }
    console.log("compositor vs client:", report.join(", "));
  }, 120_000);

  test("the pointer is drawn where the server put it, over a picture that stays clean", () => {
    // truth.json: at 4697 ms the pointer goes to 300,200 and becomes a 9×16 shape with its hot spot at 4,8.
    const withPointer = new Compositor();
    const without = new Compositor({ pointer: false });
    const at = 4800;
    applyUntil(withPointer, 0, at);
    applyUntil(without, 0, at);
    const a = rgbaOf(withPointer.takeFrameUpdate(VIDEO).rgba);
    const b = rgbaOf(without.takeFrameUpdate(VIDEO).rgba);
    const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
    for (let i = 0; i < a.length; i += 4) {
      if (a[i] === b[i] && a[i + 1] === b[i + 1] && a[i + 2] === b[i + 2]) continue;
      const x = (i / 4) % VIDEO.width;
      const y = Math.floor(i / 4 / VIDEO.width);
      box.left = Math.min(box.left, x);
      box.top = Math.min(box.top, y);
      box.right = Math.max(box.right, x + 1);
      box.bottom = Math.max(box.bottom, y + 1);
    }
    expect(box.left).toBeGreaterThanOrEqual(296);
    expect(box.top).toBeGreaterThanOrEqual(192);
    expect(box.right).toBeLessThanOrEqual(305);
    expect(box.bottom).toBeLessThanOrEqual(208);
    expect(box.right - box.left).toBeGreaterThan(2);
    // The next partial update reads the old pointer's rows back clean once the pointer has moved (7703 ms: to 800,...).
    applyUntil(withPointer, records.findIndex((r) => r.delayMs > at), 7800);
    applyUntil(without, records.findIndex((r) => r.delayMs > at), 7800);
    const a2 = rgbaOf(withPointer.takeFrameUpdate(VIDEO).rgba);
    const b2 = rgbaOf(without.takeFrameUpdate(VIDEO).rgba);
    for (let y = 192; y < 208; y++) {
      for (let x = 296; x < 305; x++) {
        const i = (y * VIDEO.width + x) * 4;
        expect([a2[i], a2[i + 1], a2[i + 2]]).toEqual([b2[i], b2[i + 1], b2[i + 2]]);
      }
    }
  }, 60_000);

  test("a PDU that does not decode is skipped with its problems; the picture stays", () => {
    const c = new Compositor({ pointer: false });
    applyUntil(c, 0, 3000);
    const before = rgbaOf(c.takeFrameUpdate(VIDEO).rgba);
    // A fast-path PDU whose length says more than it holds, then one whose surface command lies about its size.
    const lying = Uint8Array.of(0x00, 0x80, 0x40, 0x04, 0x00);
    const realUpdate = records.find((r) => r.message.type === MessageType.RDPFastPathPDU && r.message.data.length > 2000)!.message;
    if (realUpdate.type !== MessageType.RDPFastPathPDU) throw new Error("unreachable");
    const cut = realUpdate.data.slice(0, 700);
    for (const data of [lying, cut, new Uint8Array(0), Uint8Array.of(0xff, 0xff, 0xff)]) {
      const outcome = c.apply({ type: MessageType.RDPFastPathPDU, data });
      expect(outcome.kind === "unchanged" || outcome.kind === "drawn").toBe(true);
      if (outcome.kind === "unchanged" || outcome.kind === "drawn") {
        expect(outcome.problems?.length ?? 0).toBeGreaterThan(0);
        for (const p of outcome.problems ?? []) expect(p).toMatch(/^RDP /);
      }
    }
    const after = rgbaOf(c.takeFrameUpdate(VIDEO).rgba);
    expect(psnrRgba(after, before)).toBe(Infinity);
    // And the stream goes on: later PDUs still draw.
    const next = applyUntil(c, records.findIndex((r) => r.delayMs > 3000), 6000);
    expect(next).toBeGreaterThan(0);
    expect(psnrRgba(rgbaOf(c.takeFrameUpdate(VIDEO).rgba), before)).toBeLessThan(Infinity);
  }, 60_000);

  test("frames and previews come from the RDP screen's own pixels, PNG tiles of the RDP era included", () => {
    // Frames at screen size are copied from the decoder's pixels; a preview at video size is fitted from the
    // same pixels by another path (the resampler, 1:1). Both must agree, before and after a PNG tile.
    const c = new Compositor({ pointer: false });
    const canvasPicture = (): Uint8Array => {
      const ctx = createCanvas(VIDEO.width, VIDEO.height).getContext("2d");
      expect(c.drawPreview(ctx, { x: 0, y: 0, ...VIDEO })).toBe(true);
      return new Uint8Array(ctx.getImageData(0, 0, VIDEO.width, VIDEO.height).data.buffer);
    };
    let next = 0;
    for (const until of [500, 1500, 2500, 4000]) {
      next = applyUntil(c, next, until);
      const frame = rgbaOf(c.takeFrameUpdate(VIDEO).rgba);
      expect(Buffer.from(frame).equals(Buffer.from(canvasPicture()))).toBe(true);
    }
    // A frame update that changes nothing after a preview was made is still the same picture.
    expect(c.takeFrameUpdate(VIDEO).same).toBe(true);
    // A PNG tile drawn in the RDP era is in the frames, and RDP updates after it still are too.
    const tile = createCanvas(100, 50);
    const tctx = tile.getContext("2d");
    tctx.fillStyle = "#ff0000";
    tctx.fillRect(0, 0, 100, 50);
    const png = new Uint8Array(tile.toBuffer("image/png"));
    expect(c.apply({ type: MessageType.PNG2Frame, left: 600, top: 300, right: 699, bottom: 349, png }).kind).toBe("drawn");
    const withTile = rgbaOf(c.takeFrameUpdate(VIDEO).rgba);
    expect([...withTile.subarray((320 * 1280 + 650) * 4, (320 * 1280 + 650) * 4 + 4)]).toEqual([255, 0, 0, 255]);
    next = applyUntil(c, next, 8000);
    const later = rgbaOf(c.takeFrameUpdate(VIDEO).rgba);
    expect(Buffer.from(later).equals(Buffer.from(canvasPicture()))).toBe(true);
    expect(psnrRgba(later, withTile)).toBeLessThan(Infinity);
  }, 60_000);

  test("a PDU before any RDPConnectionActivated is rejected; a new connection resizes and is letterboxed", () => {
    const c = new Compositor();
    const pdu = records[1].message;
    expect(c.apply(pdu)).toEqual({ kind: "rejected", reason: "RDPFastPathPDU before any RDPConnectionActivated" });
    expect(c.apply({ type: MessageType.RDPConnectionActivated, ioChannelId: 1003, userChannelId: 1007, width: 1280, height: 720 })).toEqual({ kind: "resized", width: 1280, height: 720 });
    applyUntil(c, 1, 2000);
    expect(c.apply({ type: MessageType.RDPConnectionActivated, ioChannelId: 1003, userChannelId: 1007, width: 640, height: 720 })).toEqual({ kind: "resized", width: 640, height: 720 });
    const frame = c.takeFrameUpdate(VIDEO).rgba;
    // A 640×720 screen in the 1280×720 video: bars left and right, the black new screen in the middle.
    expect(frame[(360 * 1280 + 10) * 4]).toBe(0);
    expect(c.screenSize).toEqual({ width: 640, height: 720 });
    const huge: PictureMessage = { type: MessageType.RDPConnectionActivated, ioChannelId: 1, userChannelId: 2, width: 9000, height: 10 };
    expect(c.apply(huge).kind).toBe("rejected");
  }, 60_000);
});
