// The RemoteFX decoder's output pinned byte for byte: SHA-256 of the screen after every 16th drawing PDU (and
// the last) of each RemoteFX capture, and of the screen after a fixed series of damaged RemoteFX frames. The
// values were taken from the straightforward decoder (one stage after another, each over a whole tile) before
// the stages were fused and rewritten for speed; any change in the arithmetic, clipping or error handling
// shows here even where it stays within the PSNR of the truth tests.
import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { createRdpDecoder } from "../../src/rdp/decoder";
import { fragmentedPdus, wholeUpdates } from "./build";
import { readRdpCapture } from "./capture";
import { readRdpFixture } from "./fixtures";
import { rng } from "../fuzz/mutate.ts";

const EXPECTED: Record<string, string> = {
  "rdp-shadow-720": "c9cf480669ff0d07ccab00cacba8f79c9203fca7eb89149ac8ee75d91bd14125",
  "rfx-1080p": "2e1266174da7a0c90012e33b65573ead1038e4ccb10bb3fe29f3da4b1d0a47fb",
  "xrdp-rfx": "090a97766c7728f979dbe9a87bf641d3a9d4baa6c989b7edb60a6b47efb26611",
  "damaged rdp-shadow-720 frames": "64839c389d33ec94c2cd86be218d334e09fcc84ca4638bd6d5c2b4651b8c5fd1",
};

function captures(): [string, { width: number; height: number; pdus: { delayMs: number; pdu: Uint8Array }[] }][] {
  return [
    ["rdp-shadow-720", readRdpCapture()],
    ["rfx-1080p", readRdpFixture("rfx-1080p")],
    ["xrdp-rfx", readRdpFixture("xrdp-rfx")],
  ];
}

function screenHashes(width: number, height: number, pdus: Uint8Array[]): string {
  const decoder = createRdpDecoder(width, height);
  const all = createHash("sha256");
  let drawn = 0;
  pdus.forEach((pdu, i) => {
    const { dirty, problems } = decoder.apply(pdu);
    for (const p of problems) all.update(`${p.kind}\n`);
    if (dirty.length === 0 || (++drawn % 16 !== 0 && i !== pdus.length - 1)) return;
    all.update(createHash("sha256").update(decoder.rgba).digest());
  });
  all.update(createHash("sha256").update(decoder.rgba).digest());
  return all.digest("hex");
}

for (const [name, capture] of captures()) {
  test(`${name}: the screen is byte for byte what it was`, () => {
    expect(screenHashes(capture.width, capture.height, capture.pdus.map((p) => p.pdu))).toBe(EXPECTED[name]!);
  }, 60_000);
}

test("damaged RemoteFX frames: the same tiles drawn, the same problems, byte for byte", () => {
  const capture = readRdpCapture();
  const frames = wholeUpdates(capture.pdus).filter((u) => u.code === 4).map((u) => u.data);
  const random = rng(20);
  const pdus: Uint8Array[] = [];
  for (let i = 0; i < 400; i++) {
    const frame = frames[Math.floor(random() * frames.length)]!.slice();
    // Damage inside the tiles (past the message headers), so most of each frame still draws.
    const flips = 1 + Math.floor(random() * 6);
    for (let f = 0; f < flips; f++) frame[60 + Math.floor(random() * (frame.length - 60))]! ^= 1 << Math.floor(random() * 8);
    pdus.push(...fragmentedPdus(4, frame));
  }
  expect(screenHashes(capture.width, capture.height, pdus)).toBe(EXPECTED["damaged rdp-shadow-720 frames"]!);
}, 60_000);
