// A PNG's pixels as RGBA, decoded by Skia (@napi-rs/canvas): the truth pictures and tiles the video tests
// compare against. One decoder for every test, so all compare against the same reading of the file.
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { readFileSync } from "node:fs";

export interface PngPixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** The pixels of PNG bytes, or of the PNG file at `source`. */
export async function pngPixels(source: Uint8Array | string): Promise<PngPixels> {
  const image = await loadImage(typeof source === "string" ? readFileSync(source) : Buffer.from(source));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  return { width: image.width, height: image.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
