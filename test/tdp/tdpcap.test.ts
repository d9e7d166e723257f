import { describe, expect, test } from "bun:test";
import { readTdpcap, TdpcapFormatError, writeTdpcap } from "../../src/tdp/tdpcap.ts";
import { be32, thrown, u8, wire } from "./fixtures.ts";

const rejects = (fn: () => unknown) => thrown(TdpcapFormatError, fn);

const records = [
  { delayMs: 0, data: wire(u8(1), be32(1280), be32(720)) },
  { delayMs: 0, data: wire(u8(4, 0, 1)) },
  { delayMs: 4_000_000_000, data: wire(u8(3), be32(1), be32(2)) },
];

describe("tdpcap", () => {
  test("write lays out `u32 delay | u32 length | message` and read gives it back", () => {
    const file = writeTdpcap(records);
    expect(file.subarray(0, 17)).toEqual(wire(be32(0), be32(9), records[0].data));
    expect(file.length).toBe(3 * 8 + 9 + 3 + 9);
    expect(readTdpcap(file)).toEqual(records);
  });

  test("read returns views into the input and honours its byteOffset", () => {
    const file = writeTdpcap(records);
    const backing = new Uint8Array(file.length + 5).fill(0xee);
    backing.set(file, 5);
    const read = readTdpcap(backing.subarray(5));
    expect(read).toEqual(records);
    expect(read[1].data.buffer).toBe(backing.buffer);
    expect(read[1].data.byteOffset).toBe(5 + 17 + 8);
  });

  test("an empty file has no records", () => {
    expect(readTdpcap(new Uint8Array())).toEqual([]);
  });

  test("malformed files are rejected with the offset", () => {
    const file = writeTdpcap(records);
    expect(rejects(() => readTdpcap(file.subarray(0, 20))).offset).toBe(17);
    expect(rejects(() => readTdpcap(file.subarray(0, file.length - 1))).reason).toContain("truncated");
    expect(rejects(() => readTdpcap(wire(be32(0), be32(0)))).reason).toBe("empty message");
    const backwards = wire(be32(5), be32(1), u8(38), be32(4), be32(1), u8(38));
    expect(rejects(() => readTdpcap(backwards)).offset).toBe(9);
  });

  test("write refuses what read would reject", () => {
    rejects(() => writeTdpcap([records[2], records[0]]));
    rejects(() => writeTdpcap([{ delayMs: -1, data: u8Array(1) }]));
    rejects(() => writeTdpcap([{ delayMs: 1.5, data: u8Array(1) }]));
    rejects(() => writeTdpcap([{ delayMs: 2 ** 32, data: u8Array(1) }]));
    rejects(() => writeTdpcap([{ delayMs: 0, data: new Uint8Array() }]));
  });
});

function u8Array(n: number): Uint8Array {
  return new Uint8Array(n).fill(38);
}
