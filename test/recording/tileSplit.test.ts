import { describe, expect, test } from "bun:test";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { DesktopRecorder } from "../../src/recording/desktopRecorder.ts";
import { type DesktopRecordingEvent, EventType, MAX_RECORD_BYTES, encodeOneOf } from "../../src/recording/events.ts";
import { parseProtostream } from "../../src/recording/protostream.ts";
import { splitTileMessage } from "../../src/recording/tileSplit.ts";
import { decodeMessage, encodeMessage } from "../../src/tdp/codec.ts";
import { MessageType, tileRect } from "../../src/tdp/messages.ts";
import { MemoryAppendHandle, MemoryAuditLog, noisyPng, sessionInfo } from "./helpers.ts";

const SIZE = 256; // noisyPng's size
const LEFT = 640;
const TOP = 320;

/** Paint the recorded tiles onto a screen-sized canvas and return the pixels of the tile's area. */
async function compose(messages: Uint8Array[]): Promise<Uint8ClampedArray> {
  const screen = createCanvas(1280, 720);
  const ctx = screen.getContext("2d");
  for (const raw of messages) {
    const m = decodeMessage(raw);
    if (m.type !== MessageType.PNGFrame && m.type !== MessageType.PNG2Frame) throw new Error("not a tile");
    const r = tileRect(m);
    const img = await loadImage(Buffer.from(m.png));
    expect([img.width, img.height]).toEqual([r.right - r.left, r.bottom - r.top]);
    ctx.drawImage(img, r.left, r.top);
  }
  return ctx.getImageData(LEFT, TOP, SIZE, SIZE).data;
}

describe("a tile whose record would exceed 64 KiB", () => {
  for (const type of [MessageType.PNGFrame, MessageType.PNG2Frame] as const) {
    test(`type ${type} is split into tiles that fit and compose to the same pixels`, async () => {
      const { png, pixels } = noisyPng(type);
      const inclusive = type === MessageType.PNG2Frame ? 1 : 0;
      const raw = encodeMessage({ type, left: LEFT, top: TOP, right: LEFT + SIZE - inclusive, bottom: TOP + SIZE - inclusive, png });
      expect(raw.length).toBeGreaterThan(2.5 * MAX_RECORD_BYTES);

      const handle = new MemoryAppendHandle();
      const recorder = await DesktopRecorder.open({ info: sessionInfo(`split-${type}`), handle, auditLog: new MemoryAuditLog(), log: () => {} });
      await recorder.record(encodeMessage({ type: MessageType.ClientScreenSpec, width: 1280, height: 720 }), { at: 1000 });
      await recorder.record(raw, { at: 1100 });
      await recorder.record(encodeMessage({ type: MessageType.MouseMove, x: 1, y: 2 }), { at: 1200 });
      const stats = await recorder.close();
      expect(stats.writer).toMatchObject({ oversizeSplit: 1, oversizeDropped: 0 });

      // The file parses (the reader rejects any record over 64 KiB) and the pieces keep their place in time.
      const { events } = parseProtostream(handle.bytes(), { allowTruncated: false });
      const recs = events.filter((e): e is DesktopRecordingEvent => e.type === EventType.DesktopRecording);
      const tiles = recs.filter((e) => e.message?.[0] === type);
      expect(tiles.length).toBeGreaterThanOrEqual(4);
      for (const tile of tiles) {
        expect(encodeOneOf(tile).length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
        expect(tile.delayMs).toBe(100);
      }
      expect(recs[recs.length - 1]?.message?.[0]).toBe(MessageType.MouseMove);

      // The pieces cover the tile exactly once and give back the original pixels.
      const area = tiles.reduce((sum, t) => {
        const m = decodeMessage(t.message ?? new Uint8Array(0));
        if (m.type !== MessageType.PNGFrame && m.type !== MessageType.PNG2Frame) return sum;
        const r = tileRect(m);
        expect(r.left).toBeGreaterThanOrEqual(LEFT);
        expect(r.bottom).toBeLessThanOrEqual(TOP + SIZE);
        return sum + (r.right - r.left) * (r.bottom - r.top);
      }, 0);
      expect(area).toBe(SIZE * SIZE);
      const composed = await compose(tiles.map((t) => t.message ?? new Uint8Array(0)));
      expect(Buffer.from(composed).equals(Buffer.from(pixels))).toBe(true);
    });
  }

  test("a message that is not a tile cannot be split (and is dropped, as Teleport does)", async () => {
    const pdu = encodeMessage({ type: MessageType.RDPFastPathPDU, data: new Uint8Array(70_000) });
    await expect(splitTileMessage(pdu, 60_000)).rejects.toThrow(/not a PNG tile/);
  });
});
