// The TDPB codec: every payload round-trips; bytes written by hand (not by protobufjs) decode; a length
// that lies, a truncated or unparsable Envelope, two payloads, values over the legacy caps and enums out
// of range are refused with a TdpbDecodeError (a TdpDecodeError, so callers treat it as bad TDP).
import { describe, expect, test } from "bun:test";
import { decodeMessage, TdpDecodeError } from "../../src/tdp/codec.ts";
import { decodeTdpb, encodeTdpb, isTdpb } from "../../src/tdp/tdpb/codec.ts";
import { TdpbDecodeError, TdpbEncodeError } from "../../src/tdp/tdpb/errors.ts";
import type { KnownTdpbMessage, TdpbMessage } from "../../src/tdp/tdpb/messages.ts";
import { EnvelopeType, PAYLOAD_BY_FIELD } from "../../src/tdp/tdpb/proto.ts";
import { be32, thrown, TINY_PNG } from "./fixtures.ts";
import { DIRECTORY_OPERATIONS, TDPB_SAMPLES } from "./tdpbSamples.ts";

/** `u32 BE length | envelope` around hand-written Envelope bytes. */
const framed = (...envelope: number[]): Uint8Array => new Uint8Array([...be32(envelope.length), ...envelope]);

describe("round trip", () => {
  test("the samples cover all 22 Envelope payloads", () => {
    expect(new Set<string>(TDPB_SAMPLES.map((m) => m.kind))).toEqual(new Set(PAYLOAD_BY_FIELD.values()));
    expect(PAYLOAD_BY_FIELD.size).toBe(22);
  });

  for (const sample of [...TDPB_SAMPLES, ...DIRECTORY_OPERATIONS]) {
    const name = "operation" in sample ? `${sample.kind} ${sample.operation}` : sample.kind;
    test(`${name}: encode → decode gives it back; re-encoding gives the same bytes`, () => {
      const bytes = encodeTdpb(sample);
      expect(isTdpb(bytes)).toBe(true);
      expect(new DataView(bytes.buffer).getUint32(0)).toBe(bytes.length - 4);
      const back = decodeTdpb(bytes);
      expect(back).toEqual(sample);
      expect(encodeTdpb(back)).toEqual(bytes);
    });
  }

  test("a legacy decoder refuses TDPB with a reason that names it", () => {
    const err = thrown(TdpDecodeError, () => decodeMessage(encodeTdpb({ kind: "mouseMove", x: 1, y: 2 })));
    expect(err.message).toContain("TDPB");
  });
});

describe("bytes written by hand", () => {
  test("MouseMove (field 7) {x=5, y=300}", () => {
    // tag 7/LEN = 0x3a, length 5; x: 0x08 5; y: 0x10 varint 300 = 0xac 0x02
    expect(decodeTdpb(framed(0x3a, 5, 0x08, 5, 0x10, 0xac, 0x02))).toEqual({ kind: "mouseMove", x: 5, y: 300 });
  });

  test("ServerHello (field 2) with activation_spec 1280x720; unset fields take proto3 defaults", () => {
    // activation_spec (1/LEN): screen_width (3) = 1280 = 0x80 0x0a, screen_height (4) = 720 = 0xd0 0x05
    const spec = [0x18, 0x80, 0x0a, 0x20, 0xd0, 0x05];
    expect(decodeTdpb(framed(0x12, spec.length + 2, 0x0a, spec.length, ...spec))).toEqual({
      kind: "serverHello", activationSpec: { ioChannelId: 0, userChannelId: 0, screenWidth: 1280, screenHeight: 720 },
      clipboardEnabled: false, directoryRemoveSupported: false, sessions: [], hidpiSupported: false,
    });
  });

  test("PNGFrame (field 3): coordinates and data", () => {
    const rect = [0x08, 10, 0x10, 20, 0x18, 11, 0x20, 20];
    const body = [0x0a, rect.length, ...rect, 0x12, TINY_PNG.length, ...TINY_PNG];
    const m = decodeTdpb(framed(0x1a, body.length, ...body));
    expect(m).toEqual({ kind: "pngFrame", coordinates: { left: 10, top: 20, right: 11, bottom: 20 }, data: TINY_PNG });
  });

  test("an empty payload message is a message (SharedDirectoryRemove with directory_id 0)", () => {
    expect(decodeTdpb(framed(0xaa, 0x01, 0))).toEqual({ kind: "sharedDirectoryRemove", directoryId: 0 });
  });

  test("an Envelope with only fields this build does not know is kept as unknown, not refused", () => {
    // field 23 (LEN) and field 40 (varint): a newer peer's payloads
    expect(decodeTdpb(framed(0xba, 0x01, 2, 0x08, 1, 0xc0, 0x02, 7))).toEqual({ kind: "unknown", fieldNumbers: [23, 40] });
  });

  test("unknown fields beside a known payload are ignored (forward compatible)", () => {
    expect(decodeTdpb(framed(0x3a, 2, 0x08, 5, 0xc0, 0x02, 7))).toEqual({ kind: "mouseMove", x: 5, y: 0 });
  });
});

describe("bad bytes", () => {
  const good = encodeTdpb({ kind: "alert", message: "hello", severity: 1 });

  test("shorter than the length header", () => {
    for (let n = 0; n < 4; n++) {
      const err = thrown(TdpbDecodeError, () => decodeTdpb(new Uint8Array(n)));
      expect(err.offset).toBe(0);
      expect(err.reason).toContain("truncated");
    }
  });

  test("every truncation, and every extra byte, disagrees with the length", () => {
    for (let n = 4; n < good.length; n++) {
      expect(thrown(TdpbDecodeError, () => decodeTdpb(good.subarray(0, n))).reason).toMatch(/truncated|empty/);
    }
    const longer = new Uint8Array([...good, 0]);
    expect(thrown(TdpbDecodeError, () => decodeTdpb(longer)).reason).toContain(`but ${good.length - 3} follow`);
  });

  test("a length over 2^24 - 2 is refused before anything else", () => {
    const err = thrown(TdpbDecodeError, () => decodeTdpb(new Uint8Array([0, 0xff, 0xff, 0xff, 1])));
    expect(err.reason).toContain("over the TDPB limit");
  });

  test("an Envelope that does not parse: a sub-message length past the end, a bad wire type, field 0", () => {
    expect(thrown(TdpbDecodeError, () => decodeTdpb(framed(0x3a, 9, 0x08, 5))).reason).toContain("does not parse");
    expect(thrown(TdpbDecodeError, () => decodeTdpb(framed(0x3f, 1))).reason).toContain("does not parse");
    expect(thrown(TdpbDecodeError, () => decodeTdpb(framed(0x02, 0))).reason).toContain("does not parse");
    // the payload's own fields broken: x as a LEN field that runs past its message
    expect(thrown(TdpbDecodeError, () => decodeTdpb(framed(0x3a, 2, 0x0a, 5))).reason).toContain("does not parse");
  });

  test("two payloads in one Envelope", () => {
    const err = thrown(TdpbDecodeError, () => decodeTdpb(framed(0x3a, 0, 0x52, 4, 0x08, 1, 0x10, 1)));
    expect(err.reason).toContain("2 payloads (mouse_move, client_screen_spec)");
  });

  test("the legacy caps hold: PNG, clipboard, file data, PDU, strings, screen size", () => {
    const big = (n: number) => new Uint8Array(n);
    const cases: Array<[KnownTdpbMessage, string]> = [
      [{ kind: "pngFrame", coordinates: { left: 0, top: 0, right: 1, bottom: 0 }, data: big(10 * 1024 * 1024 + 1) }, "data_length"],
      [{ kind: "clipboardData", data: big(1024 * 1024 + 1) }, "data_length"],
      [{ kind: "fastPathPdu", pdu: big(1024 * 1024 + 1) }, "pdu_length"],
      [{ kind: "fastPathPdu", pdu: big(0) }, "pdu is empty"],
      [{ kind: "sharedDirectoryResponse", completionId: 1, errorCode: 0, operation: "read", read: { data: big(1024 * 1024 + 1) } }, "read.data_length"],
      [{ kind: "alert", message: "x".repeat(10241), severity: 1 }, "message_length"],
      [{ kind: "clientHello", username: "u".repeat(257), screenSpec: null, keyboardLayout: 0 }, "username_length"],
      [{ kind: "clientScreenSpec", width: 8193, height: 100, scale: 100 }, "outside 1x1..8192x8192"],
      [{ kind: "clientScreenSpec", width: 0, height: 100, scale: 100 }, "outside"],
      [{ kind: "serverHello", activationSpec: { ioChannelId: 1, userChannelId: 2, screenWidth: 99999, screenHeight: 1 }, clipboardEnabled: false, directoryRemoveSupported: false, sessions: [], hidpiSupported: false }, "outside"],
      [{ kind: "pngFrame", coordinates: { left: 5, top: 0, right: 4, bottom: 0 }, data: TINY_PNG }, "inverted"],
      [{ kind: "pngFrame", coordinates: null, data: TINY_PNG }, "coordinates missing"],
      [{ kind: "ping", uuid: big(15) }, "must be 16"],
      [{ kind: "mouseButton", button: 0, pressed: true }, "button 0"],
      [{ kind: "mouseWheel", axis: 0, delta: 1 }, "axis 0"],
    ];
    for (const [message, reason] of cases) {
      // encode refuses it ...
      expect(thrown(TdpbEncodeError, () => encodeTdpb(message)).message).toContain(reason);
      // ... and so does decode, of the same bytes written without the checks
      const err = thrown(TdpbDecodeError, () => decodeTdpb(unchecked(message)));
      expect(err.message).toContain(reason);
      expect(err).toBeInstanceOf(TdpDecodeError);
    }
  });

  test("an enum value the proto does not define (mouse button 9, alert severity 7)", () => {
    expect(thrown(TdpbDecodeError, () => decodeTdpb(framed(0x42, 2, 0x08, 9))).reason).toContain("button 9");
    expect(thrown(TdpbDecodeError, () => decodeTdpb(framed(0x5a, 2, 0x10, 7))).reason).toContain("severity 7");
  });

  test("encode refuses values protobufjs would silently coerce", () => {
    const bad: unknown[] = [
      { kind: "mouseMove", x: -1, y: 0 },
      { kind: "mouseMove", x: 1.5, y: 0 },
      { kind: "mouseMove", x: "1", y: 0 },
      { kind: "mouseMove", x: 2 ** 32, y: 0 },
      { kind: "keyboardButton", keyCode: 1, pressed: "yes" },
      { kind: "clipboardData", data: [1, 2] },
      { kind: "alert", message: "\ud800", severity: 1 },
      { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 1, operation: "read", read: { path: "p", offset: -1n, length: 1 } },
      { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 1, operation: "rename", rename: { path: "p" } },
      { kind: "sharedDirectoryRequest", directoryId: 1, completionId: 1 },
      { kind: "unknown", fieldNumbers: [23] },
      { kind: "nope" },
      null,
    ];
    for (const m of bad) thrown(TdpbEncodeError, () => encodeTdpb(m as TdpbMessage));
  });
});

/** The bytes of a message without encodeTdpb's checks, to feed decodeTdpb what a careless peer would send. */
function unchecked(m: KnownTdpbMessage): Uint8Array {
  const { kind, ...body } = m as unknown as Record<string, unknown>;
  const env = EnvelopeType.encode(EnvelopeType.fromObject({ [kind as string]: body })).finish();
  const out = new Uint8Array(4 + env.length);
  out.set(be32(env.length));
  out.set(env, 4);
  return out;
}
