// TDPB in the legacy message model: every legacy message that has a TDPB counterpart survives
// legacy → TDPB bytes → legacy; a PNGFrame's edges are read from its PNG's size; decodeFrame gives both
// eras the same messages and recording rules.
import { describe, expect, test } from "bun:test";
import { decodeFrame, framePictures, recordedPictures } from "../../src/tdp/eras.ts";
import { decodeMessage, encodeMessage, TdpDecodeError } from "../../src/tdp/codec.ts";
import { MessageType as T, RECORDED_TYPES, type TdpMessage, tileRect } from "../../src/tdp/messages.ts";
import { decodeTdpb, encodeTdpb } from "../../src/tdp/tdpb/codec.ts";
import { TdpbDecodeError } from "../../src/tdp/tdpb/errors.ts";
import { fromLegacy } from "../../src/tdp/tdpb/fromLegacy.ts";
import { toLegacy } from "../../src/tdp/tdpb/legacy.ts";
import { TDPB_RECORDED_KINDS } from "../../src/tdp/tdpb/messages.ts";
import { FIXTURES, thrown, TINY_PNG } from "./fixtures.ts";
import { TDPB_SAMPLES } from "./tdpbSamples.ts";

/** What a legacy message means, independent of the tile's wire form (2 exclusive, 27 inclusive). */
function meaning(m: TdpMessage): unknown {
  if (m.type === T.PNGFrame || m.type === T.PNG2Frame) return { tile: tileRect(m), png: m.png };
  if (m.type === T.Error) return { type: T.Alert, message: m.message, severity: 2 };
  return m;
}

describe("legacy → TDPB → legacy", () => {
  const NO_TDPB = new Set([T.ClientUsername, T.ClientKeyboardLayout, T.MFA, T.TDPUpgrade]);
  for (const { message } of FIXTURES) {
    test(`${T[message.type]} (${message.type})`, () => {
      const tdpb = fromLegacy(message);
      if (NO_TDPB.has(message.type)) {
        expect(tdpb).toBeNull();
        return;
      }
      expect(tdpb).not.toBeNull();
      const back = toLegacy(decodeTdpb(encodeTdpb(tdpb!)));
      expect(back.map(meaning)).toEqual([meaning(message)]);
    });
  }

  test("ServerHello is 31 RDPConnectionActivated; ClientHello is username, screen spec and keyboard layout", () => {
    const [hello, server] = [TDPB_SAMPLES[0], TDPB_SAMPLES[1]];
    if (server.kind !== "serverHello") throw new Error("sample 1 is the ServerHello");
    expect(toLegacy(server)).toEqual([{ type: T.RDPConnectionActivated, ioChannelId: 1003, userChannelId: 1007, width: 1280, height: 720 }]);
    expect(toLegacy(hello)).toEqual([
      { type: T.ClientUsername, username: "Administrator" },
      { type: T.ClientScreenSpec, width: 1920, height: 1080 },
      { type: T.ClientKeyboardLayout, layout: 0x409 },
    ]);
    expect(toLegacy({ ...server, activationSpec: null })).toEqual([]);
  });

  test("alert severities: unspecified and info → info, warning → warning, error → error", () => {
    const sev = (severity: number) => (toLegacy({ kind: "alert", message: "m", severity })[0] as { severity: number }).severity;
    expect([0, 1, 2, 3].map(sev)).toEqual([0, 0, 1, 2]);
  });

  test("a wheel delta beyond i16 is clamped as Teleport does", () => {
    expect(toLegacy({ kind: "mouseWheel", axis: 1, delta: 100_000 })).toEqual([{ type: T.MouseWheel, axis: 0, delta: 32767 }]);
  });
});

describe("PNGFrame edges", () => {
  // TINY_PNG is 2x1
  const frame = (right: number, bottom: number) => encodeTdpb({ kind: "pngFrame", coordinates: { left: 10, top: 20, right, bottom }, data: TINY_PNG });

  test("inclusive edges (as Teleport writes them) give a PNG2Frame", () => {
    const [tile] = decodeFrame(frame(11, 20)).messages;
    expect(tile.type).toBe(T.PNG2Frame);
    expect(tileRect(tile as never)).toEqual({ left: 10, top: 20, right: 12, bottom: 21 });
  });

  test("exclusive edges (Teleport's translation of legacy PNGFrame) are recognised by the PNG's size", () => {
    const [tile] = decodeFrame(frame(12, 21)).messages;
    expect(tile.type).toBe(T.PNGFrame);
    expect(tileRect(tile as never)).toEqual({ left: 10, top: 20, right: 12, bottom: 21 });
  });

  test("a PNG that fits neither reading, or is no PNG, is bad input (the PNG-bomb gate)", () => {
    expect(thrown(TdpbDecodeError, () => decodeFrame(frame(40, 40))).reason).toContain("PNG is 2x1 but the coordinates cover 31x21");
    const notPng = encodeTdpb({ kind: "pngFrame", coordinates: { left: 0, top: 0, right: 1, bottom: 0 }, data: new Uint8Array(40) });
    expect(thrown(TdpDecodeError, () => decodeFrame(notPng)).message).toContain("signature");
  });
});

describe("decodeFrame: one model for both eras", () => {
  test("what is recorded: RFD 47's legacy types; Teleport's TDPB kinds (plus clipboard, kept without its data)", () => {
    for (const { wire, message } of FIXTURES) expect(decodeFrame(wire).recorded).toBe(RECORDED_TYPES.has(message.type));
    for (const m of TDPB_SAMPLES) expect(decodeFrame(encodeTdpb(m)).recorded).toBe(TDPB_RECORDED_KINDS.has(m.kind));
    expect([...TDPB_RECORDED_KINDS].sort()).toEqual(
      ["alert", "clientScreenSpec", "clipboardData", "fastPathPdu", "mouseButton", "mouseMove", "pngFrame", "serverHello"],
    );
  });

  test("the video is given typed pictures: a TDPB tile as its legacy tile, 31 for ServerHello", () => {
    const legacyTile = FIXTURES.find((f) => f.message.type === T.PNGFrame)!.wire;
    expect(framePictures(decodeFrame(legacyTile))).toEqual([decodeMessage(legacyTile)] as never);
    expect(recordedPictures(legacyTile)).toEqual([decodeMessage(legacyTile)] as never);
    const tdpbTile = encodeTdpb(fromLegacy(decodeMessage(legacyTile))!);
    const [m] = recordedPictures(tdpbTile);
    expect(m.type).toBe(T.PNG2Frame);
    expect(meaning(m)).toEqual(meaning(decodeMessage(legacyTile)));
    expect(recordedPictures(encodeTdpb({ kind: "clientScreenSpec", width: 800, height: 600, scale: 100 }))).toEqual([{ type: T.ClientScreenSpec, width: 800, height: 600 }]);
    // input is no picture
    expect(recordedPictures(encodeTdpb({ kind: "mouseMove", x: 1, y: 1 }))).toEqual([]);
    expect(recordedPictures(encodeMessage({ type: T.MouseMove, x: 1, y: 1 }))).toEqual([]);
  });
});
