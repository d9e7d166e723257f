import { describe, expect, test } from "bun:test";
import { decodeMessage, encodeMessage, messageTypeName, TdpDecodeError, TdpEncodeError } from "../../src/tdp/codec.ts";
import { MessageType as T, type TdpMessage } from "../../src/tdp/messages.ts";
import { be16, be32, be64, FIXTURES, str, thrown, TINY_PNG, u8, utf8, wire } from "./fixtures.ts";

const MiB = 1024 * 1024;

const decodeFails = (bytes: Uint8Array) => thrown(TdpDecodeError, () => decodeMessage(bytes));
const encodeFails = (m: TdpMessage) => thrown(TdpEncodeError, () => encodeMessage(m));

describe("every legacy type 1–38", () => {
  test("the fixtures cover each type exactly once", () => {
    expect(FIXTURES.map((f) => f.message.type)).toEqual([...Array(38).keys()].map((i) => i + 1));
  });

  describe.each(FIXTURES.map((f) => [`${f.message.type} ${messageTypeName(f.message.type)}`, f] as const))("%s", (_, f) => {
    const type = f.message.type;

    test("encodes to the hand-written wire layout", () => {
      expect(encodeMessage(f.message)).toEqual(f.wire);
    });

    test("decodes the wire layout to the message and re-encodes byte-identically", () => {
      const decoded = decodeMessage(f.wire);
      expect(decoded).toEqual(f.message);
      expect(encodeMessage(decoded)).toEqual(f.wire);
    });

    test("encode → decode is deep-equal", () => {
      expect(decodeMessage(encodeMessage(f.message))).toEqual(f.message);
    });

    // Type 2 carries its PNG "to the end", so only its 17-byte header can be truncated.
    const fixedEnd = type === T.PNGFrame ? 17 : f.wire.length;
    test.skipIf(fixedEnd < 2)("every truncation is rejected with type and offset", () => {
      for (let length = 1; length < fixedEnd; length++) {
        const err = decodeFails(f.wire.subarray(0, length));
        expect(err.messageType).toBe(type);
        expect(err.offset).toBeGreaterThanOrEqual(1);
        expect(err.offset).toBeLessThanOrEqual(length);
        expect(err.reason).toContain("truncated");
      }
    });

    test.skipIf(type === T.PNGFrame)("one extra byte is rejected at the end of the layout", () => {
      const err = decodeFails(wire(f.wire, u8(0)));
      expect(err.messageType).toBe(type);
      expect(err.offset).toBe(f.wire.length);
      expect(err.reason).toContain("1 trailing byte");
    });

    test("decodes from a view into a larger ArrayBuffer", () => {
      const backing = new Uint8Array(f.wire.length + 11).fill(0xaa);
      backing.set(f.wire, 7);
      expect(decodeMessage(backing.subarray(7, 7 + f.wire.length))).toEqual(f.message);
    });
  });
});

describe("quirky layouts", () => {
  test("type 2 is exclusive and type 27 inclusive: the same 2x1 tile has different right/bottom", () => {
    const t2 = decodeMessage(wire(u8(2), be32(10), be32(20), be32(12), be32(21), TINY_PNG));
    const t27 = decodeMessage(wire(u8(27), be32(TINY_PNG.length), be32(10), be32(20), be32(11), be32(20), TINY_PNG));
    expect(t2).toMatchObject({ left: 10, top: 20, right: 12, bottom: 21 });
    expect(t27).toMatchObject({ left: 10, top: 20, right: 11, bottom: 20 });
  });

  test("type 27: png_length disagreeing with the frame is truncation or trailing bytes", () => {
    const header = (n: number) => wire(u8(27), be32(n), be32(0), be32(0), be32(1), be32(0));
    expect(decodeFails(wire(header(TINY_PNG.length + 1), TINY_PNG)).reason).toContain("truncated");
    const extra = decodeFails(wire(header(TINY_PNG.length - 1), TINY_PNG));
    expect(extra.reason).toContain("trailing");
    expect(extra.offset).toBe(21 + TINY_PNG.length - 1);
  });

  test("type 28: the length covers the message only, severity follows", () => {
    expect(decodeMessage(wire(u8(28), be32(2), utf8("hi"), u8(2)))).toEqual({ type: T.Alert, message: "hi", severity: 2 });
  });

  test("type 37: a length other than 4 is rejected at offset 1", () => {
    const err = decodeFails(wire(u8(37), be32(8), be32(0x409), be32(0)));
    expect([err.offset, err.reason]).toEqual([1, "length 8 must be 4"]);
  });

  test("type 11: a non-zero discard field is rejected", () => {
    expect(decodeFails(wire(u8(11), be32(1), be32(7), str("x"))).offset).toBe(1);
  });

  test("type 21: offset comes before the path", () => {
    const m = decodeMessage(wire(u8(21), be32(1), be32(2), be64(3n), str("p"), be32(1), u8(9)));
    expect(m).toMatchObject({ offset: 3n, path: "p", data: new Uint8Array([9]) });
  });

  test("a truncation reports the field it stopped at", () => {
    const err = decodeFails(wire(u8(1), be32(1280), u8(0, 0, 2)));
    expect(err.offset).toBe(5);
    expect(err.message).toBe("TDP type 1 (ClientScreenSpec) at offset 5: truncated: height needs 4 byte(s), 3 left");
  });
});

describe("framing errors", () => {
  test("an empty buffer has no type", () => {
    const err = decodeFails(new Uint8Array(0));
    expect([err.messageType, err.offset, err.message]).toEqual([null, 0, "TDP message at offset 0: empty buffer"]);
  });

  test("first byte 0x00 is TDPB framing", () => {
    const err = decodeFails(wire(be32(12), u8(1, 2, 3)));
    expect([err.messageType, err.offset]).toEqual([0, 0]);
    expect(err.reason).toContain("TDPB");
  });

  test.each([39, 99, 255])("unknown type %d", (type) => {
    const err = decodeFails(wire(u8(type), be32(0)));
    expect([err.messageType, err.offset, err.reason]).toEqual([type, 0, `unknown message type ${type}`]);
    expect(messageTypeName(type)).toBe(`Unknown(${type})`);
  });

  test("encoding an unknown type is refused", () => {
    const err = encodeFails({ type: 99 } as unknown as TdpMessage);
    expect(err.messageType).toBe(99);
  });
});

describe("size limits", () => {
  test("PNG2Frame png_length over 10 MiB is rejected before the bounds", () => {
    const err = decodeFails(wire(u8(27), be32(99_999_999), be32(0), be32(0), be32(63), be32(63)));
    expect(err.message).toBe("TDP type 27 (PNG2Frame) at offset 1: png_length 99999999 exceeds 10 MiB");
  });

  test("PNGFrame with more than 10 MiB of PNG is rejected; exactly 10 MiB is not", () => {
    const header = wire(u8(2), be32(0), be32(0), be32(64), be32(64));
    const frame = new Uint8Array(17 + 10 * MiB + 1);
    frame.set(header);
    const err = decodeFails(frame);
    expect([err.offset, err.reason]).toEqual([17, "png_length 10485761 exceeds 10 MiB"]);
    expect(decodeMessage(frame.subarray(0, frame.length - 1)).type).toBe(T.PNGFrame);
    expect(encodeFails({ type: T.PNGFrame, left: 0, top: 0, right: 64, bottom: 64, png: frame.subarray(16) }).reason).toContain(
      "exceeds 10 MiB",
    );
  });

  test("clipboard over 1 MiB is rejected from its length alone; exactly 1 MiB decodes", () => {
    const err = decodeFails(wire(u8(6), be32(MiB + 1), u8(1, 2, 3)));
    expect([err.offset, err.reason]).toEqual([1, "data_length 1048577 exceeds 1 MiB"]);
    const ok = new Uint8Array(5 + MiB);
    ok.set(wire(u8(6), be32(MiB)));
    expect(decodeMessage(ok)).toMatchObject({ type: T.ClipboardData });
    encodeFails({ type: T.ClipboardData, data: new Uint8Array(MiB + 1) });
  });

  const strings: Array<[string, number, (s: string) => TdpMessage]> = [
    ["username", 256, (s) => ({ type: T.ClientUsername, username: s })],
    ["message", 10240, (s) => ({ type: T.Error, message: s })],
    ["message", 10240, (s) => ({ type: T.Alert, message: s, severity: 0 })],
    ["name", 256, (s) => ({ type: T.SharedDirectoryAnnounce, directoryId: 1, name: s })],
    ["path", 10240, (s) => ({ type: T.SharedDirectoryInfoRequest, completionId: 1, directoryId: 1, path: s })],
  ];
  test.each(strings)("%s is capped at %d bytes", (field, max, build) => {
    const atMax = encodeMessage(build("é".repeat(max / 2)));
    expect(decodeMessage(atMax)).toEqual(build("é".repeat(max / 2)));
    expect(encodeFails(build("é".repeat(max / 2) + "x")).reason).toBe(`${field}_length ${max + 1} exceeds ${max} bytes`);
    // Same bytes with the length field bumped by one and a byte appended: over the cap on decode too.
    const lengthAt = atMax.indexOf(0xc3) - 4;
    const over = wire(atMax.subarray(0, lengthAt), be32(max + 1), atMax.subarray(lengthAt + 4), u8(0x78));
    const err = decodeFails(over);
    expect([err.offset, err.reason]).toEqual([lengthAt, `${field}_length ${max + 1} exceeds ${max} bytes`]);
  });

  test("screen size must be 1..8192 on each side, both ways", () => {
    expect(decodeMessage(wire(u8(1), be32(8192), be32(8192)))).toEqual({ type: T.ClientScreenSpec, width: 8192, height: 8192 });
    for (const [w, h] of [[0, 720], [1280, 0], [8193, 100], [100, 8193], [0xffff_ffff, 1]]) {
      const err = decodeFails(wire(u8(1), be32(w), be32(h)));
      expect([err.messageType, err.offset]).toEqual([1, 1]);
      expect(err.reason).toContain(`screen ${w}x${h}`);
      expect(encodeFails({ type: T.ClientScreenSpec, width: w, height: h }).offset).toBe(1);
    }
  });
});

describe("tile rectangles", () => {
  const t2 = (l: number, t: number, r: number, b: number) => wire(u8(2), be32(l), be32(t), be32(r), be32(b), TINY_PNG);
  const t27 = (l: number, t: number, r: number, b: number) =>
    wire(u8(27), be32(TINY_PNG.length), be32(l), be32(t), be32(r), be32(b), TINY_PNG);

  test("empty or inverted rectangles are rejected at the rectangle's offset", () => {
    for (const [bytes, offset] of [
      [t2(5, 5, 5, 10), 1],
      [t2(5, 5, 10, 5), 1],
      [t2(10, 5, 5, 10), 1],
      [t27(10, 5, 9, 10), 5],
      [t27(5, 10, 10, 9), 5],
    ] as const) {
      const err = decodeFails(bytes);
      expect(err.offset).toBe(offset);
      expect(err.reason).toContain("empty or inverted");
    }
  });

  test("a one-pixel PNG2Frame has right == left (inclusive)", () => {
    expect(decodeMessage(t27(5, 5, 5, 5))).toMatchObject({ left: 5, right: 5 });
  });

  test("a rectangle wider than 8192 is rejected", () => {
    expect(decodeFails(t2(0, 0, 8193, 1)).reason).toContain("larger than 8192x8192");
    expect(decodeFails(t27(0, 0, 8192, 0)).reason).toContain("larger than 8192x8192");
  });

  test("the encoder refuses the same rectangles", () => {
    encodeFails({ type: T.PNGFrame, left: 5, top: 5, right: 5, bottom: 10, png: TINY_PNG });
    encodeFails({ type: T.PNG2Frame, left: 5, top: 5, right: 4, bottom: 10, png: TINY_PNG });
  });
});

describe("strings and enums", () => {
  test.each([
    ["0xff", [0xff]],
    ["overlong NUL", [0xc0, 0x80]],
    ["UTF-16 surrogate", [0xed, 0xa0, 0x80]],
    ["cut sequence", [0x61, 0xe2, 0x82]],
  ])("invalid UTF-8 (%s) is rejected where the string starts", (_, bytes) => {
    const err = decodeFails(wire(u8(7), be32(bytes.length), bytes));
    expect([err.offset, err.reason]).toEqual([5, "username is not valid UTF-8"]);
  });

  test("a byte-order mark survives the round trip", () => {
    const bytes = wire(u8(9), str("\ufeffoops"));
    expect(encodeMessage(decodeMessage(bytes))).toEqual(bytes);
  });

  test("lone surrogates cannot be encoded", () => {
    expect(encodeFails({ type: T.ClientUsername, username: "a\ud800" }).reason).toContain("lone surrogate");
  });

  test.each([
    ["button", wire(u8(4, 3, 0)), 1],
    ["state", wire(u8(4, 0, 2)), 2],
    ["axis", wire(u8(8, 2), be16(1)), 1],
    ["severity", wire(u8(28), str("x"), u8(3)), 6],
    ["mfa_type", wire(u8(10, 0x78), str("{}")), 1],
    ["is_empty", wire(u8(14), be32(1), be32(0), be64(0n), be64(0n), be32(0), u8(2), str("p")), 29],
  ])("out-of-range %s is rejected", (field, bytes, offset) => {
    const err = decodeFails(bytes);
    expect(err.offset).toBe(offset);
    expect(err.reason).toContain(field);
  });

  test("an empty MFA payload is rejected", () => {
    expect(decodeFails(wire(u8(10, 0x6e), be32(0))).reason).toBe("json is empty");
  });

  test("a list response promising more entries than it holds is truncated", () => {
    expect(decodeFails(wire(u8(26), be32(1), be32(0), be32(1000))).reason).toContain("truncated: last_modified");
  });
});

describe("encoder validation", () => {
  test.each([
    ["negative", { type: T.MouseMove, x: 1, y: -1 }, 5],
    ["2^32", { type: T.MouseMove, x: 2 ** 32, y: 0 }, 1],
    ["fraction", { type: T.MouseMove, x: 1.5, y: 0 }, 1],
    ["NaN", { type: T.LatencyStats, clientLatency: 0, serverLatency: Number.NaN }, 5],
    ["u16 overflow", { type: T.RDPConnectionActivated, ioChannelId: 65536, userChannelId: 0, width: 1, height: 1 }, 1],
    ["i16 overflow", { type: T.MouseWheel, axis: 0, delta: 40000 }, 2],
    ["enum", { type: T.MouseButton, button: 3, state: 0 }, 1],
    ["u64 negative", { type: T.SharedDirectoryWriteRequest, completionId: 0, directoryId: 0, offset: -1n, path: "", data: new Uint8Array() }, 9],
    ["uuid size", { type: T.Ping, uuid: new Uint8Array(15) }, 1],
    ["empty MFA", { type: T.MFA, mfaType: "n", json: "" }, 2],
  ] as Array<[string, TdpMessage, number]>)("%s is refused at the field's offset", (_, m, offset) => {
    const err = encodeFails(m);
    expect(err.messageType).toBe(m.type);
    expect(err.offset).toBe(offset);
  });

  test("u64 fields take the full range", () => {
    const m: TdpMessage = { type: T.SharedDirectoryReadRequest, completionId: 0, directoryId: 0, path: "", offset: 2n ** 64n - 1n, length: 0 };
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
    encodeFails({ ...m, offset: 2n ** 64n });
  });
});

describe("no copies", () => {
  test("PNG and clipboard payloads are views into the input buffer", () => {
    const backing = new ArrayBuffer(4096);
    const bytes = new Uint8Array(backing, 100, 17 + TINY_PNG.length);
    bytes.set(wire(u8(2), be32(0), be32(0), be32(2), be32(1), TINY_PNG));
    const m = decodeMessage(bytes);
    if (m.type !== T.PNGFrame) throw new Error("expected a PNGFrame");
    expect(m.png.buffer).toBe(backing);
    expect(m.png.byteOffset).toBe(117);
    expect(m.png).toEqual(TINY_PNG);
  });

  test("a view whose neighbours look like another message still decodes its own bytes", () => {
    const backing = wire(u8(1), be32(640), be32(480), u8(3), be32(11), be32(22), u8(1), be32(99));
    expect(decodeMessage(backing.subarray(9, 18))).toEqual({ type: T.MouseMove, x: 11, y: 22 });
  });
});

test("messageTypeName names every legacy type", () => {
  expect(messageTypeName(27)).toBe("PNG2Frame");
  expect(messageTypeName(2)).toBe("PNGFrame");
  expect(messageTypeName(38)).toBe("TDPUpgrade");
  expect(messageTypeName(0)).toBe("Unknown(0)");
});
