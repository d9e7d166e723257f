// An RDP-era screen: the session's RDP graphics decoder (src/rdp) applies each fast-path PDU to its own
// RGBA picture, and the areas it reports changed are copied onto the compositor's canvas, so frames,
// scaling and thumbnails work the same for every era. The pointer is not part of the picture; the
// compositor overlays it on frames.
import type { SKRSContext2D } from "@napi-rs/canvas";
import { createRdpDecoder, type PointerState, type RdpGraphicsDecoder, type RdpRect } from "../../rdp/index.ts";

export interface RdpApplied {
  /** Screen areas that changed (already on the canvas). */
  dirty: RdpRect[];
  pointerChanged: boolean;
  /** Problems in the input, each for an update the decoder skipped. */
  problems: string[];
}

export class RdpScreen {
  private constructor(private readonly decoder: RdpGraphicsDecoder) {}

  /** A decoder for a new RDP connection's screen. Throws RangeError for a size it refuses. */
  static open(width: number, height: number): RdpScreen {
    return new RdpScreen(createRdpDecoder(width, height));
  }

  get pointer(): PointerState {
    return this.decoder.pointer;
  }

  /** Applies one fast-path PDU and copies what changed onto `ctx` (a canvas of the screen's size). */
  apply(pdu: Uint8Array, ctx: SKRSContext2D): RdpApplied {
    const result = this.decoder.apply(pdu);
    for (const rect of coalesce(result.dirty)) this.copy(rect, ctx);
    return {
      dirty: result.dirty,
      pointerChanged: result.pointerChanged,
      problems: result.problems.map((p) => `RDP ${p.kind}: ${p.message}`),
    };
  }

  private copy(rect: RdpRect, ctx: SKRSContext2D): void {
    const { width: screenWidth, rgba } = this.decoder;
    const w = rect.right - rect.left;
    const h = rect.bottom - rect.top;
    if (w <= 0 || h <= 0) return;
    const image = ctx.createImageData(w, h);
    if (w === screenWidth) {
      image.data.set(rgba.subarray(rect.top * screenWidth * 4, rect.bottom * screenWidth * 4));
    } else {
      for (let y = 0; y < h; y++) {
        const from = ((rect.top + y) * screenWidth + rect.left) * 4;
        image.data.set(rgba.subarray(from, from + w * 4), y * w * 4);
      }
    }
    ctx.putImageData(image, rect.left, rect.top);
  }
}

/**
 * Fewer, larger copies: one bounding box when it is not much bigger than the rectangles themselves
 * (a RemoteFX update is often dozens of adjacent 64×64 tiles), else the rectangles as they are.
 */
function coalesce(rects: RdpRect[]): RdpRect[] {
  if (rects.length < 2) return rects;
  let area = 0;
  const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (const r of rects) {
    area += (r.right - r.left) * (r.bottom - r.top);
    box.left = Math.min(box.left, r.left);
    box.top = Math.min(box.top, r.top);
    box.right = Math.max(box.right, r.right);
    box.bottom = Math.max(box.bottom, r.bottom);
  }
  return (box.right - box.left) * (box.bottom - box.top) <= 2 * area ? [box] : rects;
}
