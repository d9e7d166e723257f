// Test helper: rebuilds the screen from TDP messages the way a player does (new black screen on
// ClientScreenSpec, each PNG tile decoded and pasted at its rectangle).
import { createCanvas, loadImage, type Canvas, type SKRSContext2D } from "@napi-rs/canvas";
import { decodeMessage } from "../../src/tdp/codec.ts";
import { MessageType, tileRect, type TdpMessage } from "../../src/tdp/messages.ts";

export class ScreenComposer {
  canvas: Canvas | null = null;
  private ctx: SKRSContext2D | null = null;

  async apply(m: TdpMessage): Promise<void> {
    if (m.type === MessageType.ClientScreenSpec) {
      this.canvas = createCanvas(m.width, m.height);
      this.ctx = this.canvas.getContext("2d");
      this.ctx.fillStyle = "#000000";
      this.ctx.fillRect(0, 0, m.width, m.height);
      return;
    }
    if (m.type !== MessageType.PNGFrame && m.type !== MessageType.PNG2Frame) return;
    if (this.ctx === null) throw new Error("tile before any ClientScreenSpec");
    const rect = tileRect(m);
    const image = await loadImage(Buffer.from(m.png));
    if (image.width !== rect.right - rect.left || image.height !== rect.bottom - rect.top) {
      throw new Error(`PNG ${image.width}x${image.height} does not fit its rectangle ${JSON.stringify(rect)}`);
    }
    this.ctx.drawImage(image, rect.left, rect.top);
  }

  async applyBytes(data: Uint8Array): Promise<void> {
    await this.apply(decodeMessage(data));
  }

  pixels(): Uint8ClampedArray {
    if (this.canvas === null || this.ctx === null) throw new Error("no screen yet");
    return this.ctx.getImageData(0, 0, this.canvas.width, this.canvas.height).data;
  }
}

/** Number of pixels whose RGB differs. */
export function differingPixels(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} vs ${b.length} bytes`);
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  }
  return n;
}
