// TDPB versions of the corpus captures, the way Teleport translates a legacy agent's messages, and the
// truth pictures they are compared with.
import { loadImage, createCanvas } from "@napi-rs/canvas";
import { readFileSync } from "node:fs";
import { decodeMessage } from "../../src/tdp/codec.ts";
import { encodeTdpb } from "../../src/tdp/tdpb/codec.ts";
import { fromLegacy } from "../../src/tdp/tdpb/fromLegacy.ts";
import type { TdpcapRecord } from "../../src/tdp/tdpcap.ts";

/** Each legacy record as its TDPB message (records with no TDPB counterpart are left out). */
export function asTdpb(records: readonly TdpcapRecord[]): TdpcapRecord[] {
  const out: TdpcapRecord[] = [];
  for (const r of records) {
    const m = fromLegacy(decodeMessage(r.data));
    if (m) out.push({ delayMs: r.delayMs, data: encodeTdpb(m) });
  }
  return out;
}

/** A PNG file's pixels as RGBA. */
export async function pngRgba(path: string): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const image = await loadImage(readFileSync(path));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, rgba: new Uint8Array(ctx.getImageData(0, 0, image.width, image.height).data) };
}

/** PSNR in dB of the luma (BT.601 Y') of an RGB24 picture against an RGBA one: what H.264 keeps at full resolution. */
export function lumaPsnr(rgb: Uint8Array, rgba: Uint8Array): number {
  const pixels = rgba.length / 4;
  if (rgb.length !== pixels * 3) throw new Error(`size mismatch: ${rgb.length / 3} vs ${pixels} pixels`);
  let squared = 0;
  for (let i = 0; i < pixels; i++) {
    const a = 0.299 * rgb[i * 3] + 0.587 * rgb[i * 3 + 1] + 0.114 * rgb[i * 3 + 2];
    const b = 0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2];
    squared += (a - b) * (a - b);
  }
  const mse = squared / pixels;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}
