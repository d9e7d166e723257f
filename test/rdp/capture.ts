// The real RemoteFX capture (shared corpus rdp-shadow-720) as the decoder sees it: TDP 31 then TDP 29 PDUs,
// and helpers to compare a screen with the client's truth pictures.
import { loadImage, createCanvas } from "@napi-rs/canvas";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readTdpcap } from "../../src/tdp/tdpcap";
import { CORPUS_DIR } from "../support/corpusPath";

export const RDP_SHADOW_DIR = join(CORPUS_DIR, "rdp-shadow-720");
export const RDP_SHADOW_CAPTURE = join(RDP_SHADOW_DIR, "rdp-shadow-720.tdpcap");

export interface CapturePdu {
  delayMs: number;
  pdu: Uint8Array;
}

export interface RdpCapture {
  width: number;
  height: number;
  pdus: CapturePdu[];
}

/** Reads a .tdpcap of RDP-era TDP: the first 31 RDPConnectionActivated gives the size, every 29 a PDU. */
export function readRdpCapture(path = RDP_SHADOW_CAPTURE): RdpCapture {
  let width = 0;
  let height = 0;
  const pdus: CapturePdu[] = [];
  for (const r of readTdpcap(readFileSync(path))) {
    const view = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    if (r.data[0] === 31) {
      width = view.getUint16(5);
      height = view.getUint16(7);
    } else if (r.data[0] === 29) {
      const len = view.getUint32(1);
      pdus.push({ delayMs: r.delayMs, pdu: r.data.subarray(5, 5 + len) });
    }
  }
  return { width, height, pdus };
}

export interface TruthFrame {
  file: string;
  t_ms: number;
}

export interface Truth {
  frames: TruthFrame[];
  pointer: { ms: number; what: string }[];
}

export function readTruth(): Truth {
  return JSON.parse(readFileSync(join(RDP_SHADOW_DIR, "truth", "truth.json"), "utf8")) as Truth;
}

/** A truth PNG as RGBA. */
export async function truthPicture(file: string): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const img = await loadImage(readFileSync(join(RDP_SHADOW_DIR, "truth", file)));
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  return { width: img.width, height: img.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** PSNR over R, G, B of two RGBA pictures of the same size (Infinity when identical). */
export function psnrRgba(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`pictures differ in size: ${a.length} vs ${b.length} bytes`);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = a[i + c]! - b[i + c]!;
      sum += d * d;
    }
  }
  const mse = sum / ((a.length / 4) * 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** Share of RGB samples that differ at all, and the largest difference. */
export function sampleDiff(a: Uint8Array, b: Uint8Array): { differing: number; maxDiff: number } {
  let n = 0;
  let max = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a[i + c]! - b[i + c]!);
      if (d) n++;
      if (d > max) max = d;
    }
  }
  return { differing: n / ((a.length / 4) * 3), maxDiff: max };
}
