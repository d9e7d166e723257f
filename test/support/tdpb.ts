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

