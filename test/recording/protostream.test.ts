import { describe, expect, test } from "bun:test";
import zlib from "node:zlib";
import protobuf from "protobufjs";
import { decodeOneOf, encodeOneOf, type DesktopRecordingEvent, EventType, blankMetadata } from "../../src/recording/events.ts";
import {
  PART_HEADER_BYTES,
  ProtostreamError,
  encodePart,
  parseProtostream,
  readProtostream,
} from "../../src/recording/protostream.ts";
import { scanRecording } from "../../src/recording/scan.ts";
import { concatBytes } from "../../src/bytes.ts";

function frame(index: number, delayMs = index * 10): Uint8Array {
  const event: DesktopRecordingEvent = {
    ...blankMetadata(), type: EventType.DesktopRecording, index, time: new Date(1_700_000_000_000 + delayMs),
    message: Uint8Array.of(3, 0, 0, 0, index, 0, 0, 0, 7), tdpbMessage: null, delayMs,
  };
  return encodeOneOf(event);
}

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

/** A part built by hand (not by encodePart), so the reader is checked against the format, not itself. */
function handPart(version: bigint, plain: Uint8Array, padding = 0): Uint8Array {
  const gz = zlib.gzipSync(plain);
  const out = new Uint8Array(PART_HEADER_BYTES + gz.length + padding);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, version);
  view.setBigUint64(8, BigInt(gz.length));
  view.setBigUint64(16, BigInt(padding));
  out.set(gz, PART_HEADER_BYTES);
  return out;
}

function records(...bodies: Uint8Array[]): Uint8Array {
  return concat(...bodies.map((b) => {
    const r = new Uint8Array(4 + b.length);
    new DataView(r.buffer).setUint32(0, b.length);
    r.set(b, 4);
    return r;
  }));
}

const indexes = (events: { index: number }[]): number[] => events.map((e) => e.index);

describe("encodePart", () => {
  test("writes the 24-byte header, one gzip stream of length-prefixed records, then zero padding", () => {
    const recs = [frame(0), frame(1)];
    const part = encodePart(recs, 100);
    const view = new DataView(part.buffer);
    expect(view.getBigUint64(0)).toBe(1n);
    const gzipLength = Number(view.getBigUint64(8));
    expect(view.getBigUint64(16)).toBe(100n);
    expect(part.length).toBe(PART_HEADER_BYTES + gzipLength + 100);
    expect(part.subarray(PART_HEADER_BYTES + gzipLength).every((b) => b === 0)).toBe(true);
    const plain = zlib.gunzipSync(part.subarray(PART_HEADER_BYTES, PART_HEADER_BYTES + gzipLength));
    expect(Buffer.from(plain).equals(Buffer.from(records(...recs)))).toBe(true);
  });

  test("refuses an empty record and one over 64 KiB", () => {
    expect(() => encodePart([new Uint8Array(0)])).toThrow(/empty/);
    expect(() => encodePart([new Uint8Array(65537)])).toThrow(/65536/);
  });
});

describe("reading", () => {
  test("padding is skipped and a re-sent part is deduplicated by index", () => {
    // Part A: events 0-2 with 1000 bytes of padding; part B repeats 1-2 (a resumed upload) and adds 3.
    const file = concat(
      handPart(1n, records(frame(0), frame(1), frame(2)), 1000),
      handPart(1n, records(frame(1), frame(2), frame(3)), 7),
    );
    const { events, stats } = parseProtostream(file);
    expect(indexes(events)).toEqual([0, 1, 2, 3]);
    expect(stats).toMatchObject({ parts: 2, totalEvents: 6, skippedEvents: 2, outOfOrderEvents: 0, truncatedAt: null, bytes: file.length });
  });

  test("the streaming reader gives the same events however the bytes are chunked", async () => {
    const file = concat(encodePart([frame(0), frame(1)], 33), encodePart([frame(2)]), encodePart([frame(3), frame(4)], 5));
    for (const chunkSize of [1, 7, 24, 25, 1000]) {
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let at = 0; at < file.length; at += chunkSize) yield file.slice(at, at + chunkSize);
      }
      const reader = readProtostream(chunks());
      const seen: number[] = [];
      for await (const e of reader) seen.push(e.index);
      expect(seen).toEqual([0, 1, 2, 3, 4]);
      expect(reader.stats.parts).toBe(3);
    }
  });

  test("reads from a ReadableStream (what BlobStore.stream gives)", async () => {
    const file = concat(encodePart([frame(0), frame(1)]), encodePart([frame(2)]));
    const seen: number[] = [];
    for await (const e of readProtostream(new Blob([file.slice()]).stream())) seen.push(e.index);
    expect(seen).toEqual([0, 1, 2]);
  });

  test("a gap in indexes is reported as out of order, not dropped", () => {
    const { events, stats } = parseProtostream(concat(encodePart([frame(0), frame(1), frame(5)])));
    expect(indexes(events)).toEqual([0, 1, 5]);
    expect(stats.outOfOrderEvents).toBe(1);
  });

  test("a last part cut short reads up to the last complete part and says where the cut is", async () => {
    const first = encodePart([frame(0), frame(1)]);
    const second = encodePart([frame(2), frame(3)]);
    for (const cut of [1, 23, 24, 30, second.length - 1]) {
      const file = concat(first, second.subarray(0, cut));
      const { events, stats } = parseProtostream(file);
      expect(indexes(events)).toEqual([0, 1]);
      expect(stats.truncatedAt).toBe(first.length);
      expect(() => parseProtostream(file, { allowTruncated: false })).toThrow(ProtostreamError);
    }
    const summary = await scanRecording(concat(first, second.subarray(0, 10)));
    expect(summary.truncatedAt).toBe(first.length);
    expect(summary.events).toBe(2);
    expect(summary.error).toBeNull();
  });

  test("members we do not model (a Teleport SSH Resize, field 9) are kept and written back unchanged", () => {
    const metadata = protobuf.Writer.create().uint32((1 << 3) | 0).int64(4).uint32((2 << 3) | 2).string("resize").finish();
    const resize = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(metadata).uint32((6 << 3) | 2).string("80:25").finish();
    const oneOf = protobuf.Writer.create().uint32((9 << 3) | 2).bytes(resize).finish();
    const event = decodeOneOf(oneOf);
    expect(event).toMatchObject({ type: "unknown", eventType: "resize", oneOfField: 9, index: 4 });
    expect(encodeOneOf(event)).toEqual(oneOf);
  });
});

describe("malformed files give a ProtostreamError with the byte offset", () => {
  function errorOf(file: Uint8Array): ProtostreamError {
    try {
      parseProtostream(file);
    } catch (err) {
      if (err instanceof ProtostreamError) return err;
      throw err;
    }
    throw new Error("no error");
  }

  test("version other than 1, at the start of the offending part", () => {
    const good = encodePart([frame(0)]);
    const err = errorOf(concat(good, handPart(2n, records(frame(1)))));
    expect(err.offset).toBe(good.length);
    expect(err.reason).toMatch(/version 2/);
  });

  test("message_len 0", () => {
    const good = encodePart([frame(0)]);
    const err = errorOf(concat(good, handPart(1n, concat(records(frame(1)), new Uint8Array(4)))));
    expect(err.offset).toBe(good.length);
    expect(err.recordOffset).toBe(4 + frame(1).length);
    expect(err.reason).toMatch(/size 0/);
  });

  test("a record over 64 KiB", () => {
    const big = new Uint8Array(4 + 70_000);
    new DataView(big.buffer).setUint32(0, 70_000);
    const err = errorOf(handPart(1n, big));
    expect(err.offset).toBe(0);
    expect(err.reason).toMatch(/70000 bytes exceeds/);
  });

  test("data that is not gzip, pointing at the gzip bytes", () => {
    const bad = handPart(1n, records(frame(0)));
    bad.fill(0x55, PART_HEADER_BYTES, PART_HEADER_BYTES + 4);
    expect(errorOf(bad).offset).toBe(PART_HEADER_BYTES);
  });

  test("a record that is not protobuf", () => {
    const err = errorOf(handPart(1n, records(Uint8Array.of(0xff, 0xff, 0xff))));
    expect(err.offset).toBe(0);
    expect(err.recordOffset).toBe(0);
  });

  test("scanRecording reports the error with what came before it", async () => {
    const good = encodePart([frame(0), frame(1)]);
    const summary = await scanRecording(concat(good, handPart(3n, records(frame(2)))));
    expect(summary.events).toBe(2);
    expect(summary.error?.offset).toBe(good.length);
    expect(summary.problems.some((p) => p.includes("version 3"))).toBe(true);
  });
});
