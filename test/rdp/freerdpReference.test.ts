// Bit-exactness: our RemoteFX decoder against FreeRDP's (libfreerdp2's rfx_process_message, the decoder
// xfreerdp uses) on every RemoteFX capture we have, at several points of each stream.
import { describe, expect, test } from "bun:test";
import { createRdpDecoder } from "../../src/rdp/decoder";
import { fragmentedPdus, wholeUpdates } from "./build";
import { readRdpCapture } from "./capture";
import { readRdpFixture } from "./fixtures";
import { decodeWithFreerdp, freerdpReference, rfxMessages, unavailableReason } from "./reference/freerdp";

const exe = freerdpReference();
if (!exe) console.warn(`skipping the FreeRDP bit-exactness tests: ${unavailableReason()}`);

const streams: { name: string; width: number; height: number; surfaces: () => Uint8Array[] }[] = [
  { name: "rdp-shadow-720 (corpus)", width: 1280, height: 720, surfaces: () => surfacesOf(readRdpCapture().pdus) },
  { name: "rfx-1080p (fixture)", width: 1920, height: 1080, surfaces: () => surfacesOf(readRdpFixture("rfx-1080p").pdus) },
  { name: "xrdp-rfx (fixture)", width: 0, height: 0, surfaces: () => surfacesOf(readRdpFixture("xrdp-rfx").pdus) },
];

function surfacesOf(pdus: { pdu: Uint8Array }[]): Uint8Array[] {
  return wholeUpdates(pdus as { delayMs: number; pdu: Uint8Array }[]).filter((u) => u.code === 4).map((u) => u.data);
}

function sameRgb(ours: Uint8Array, rgbx: Uint8Array): { differing: number } {
  let differing = 0;
  for (let i = 0; i < ours.length; i += 4) {
    if (ours[i] !== rgbx[i] || ours[i + 1] !== rgbx[i + 1] || ours[i + 2] !== rgbx[i + 2]) differing++;
  }
  return { differing };
}

describe.skipIf(!exe)("RemoteFX decode is bit-identical to FreeRDP's", () => {
  for (const s of streams) {
    test(s.name, () => {
      let { width, height } = s;
      if (width === 0) ({ width, height } = readRdpFixture("xrdp-rfx"));
      const surfaces = s.surfaces();
      const messages = rfxMessages(surfaces);
      expect(messages.length).toBeGreaterThan(10);
      const ours = createRdpDecoder(width, height);
      const checkpoints = new Set([1, Math.floor(surfaces.length / 2), surfaces.length]);
      let messagesSoFar = 0;
      surfaces.forEach((surface, i) => {
        for (const pdu of fragmentedPdus(4, surface)) expect(ours.apply(pdu).problems).toEqual([]);
        messagesSoFar += rfxMessages([surface]).length;
        if (!checkpoints.has(i + 1)) return;
        const reference = decodeWithFreerdp(exe!, messages.slice(0, messagesSoFar), width, height);
        expect(reference.failed).toBe(0);
        expect(sameRgb(ours.rgba, reference.rgbx)).toEqual({ differing: 0 });
      });
    }, 180_000);
  }
});
