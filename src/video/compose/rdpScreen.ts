// An RDP-era screen: the session's RDP graphics decoder (src/rdp) applies each fast-path PDU to its own
// RGBA picture, which is the screen. Video frames of the screen at video size are read straight from it;
// the compositor's canvas (scaling, thumbnails, seek-bar previews, PNG tiles drawn in the RDP era) gets the
// areas changed since it was last brought up to date only when it is about to be used (`syncCanvas`), so a
// PDU costs its decode and nothing more. The pointer is not part of the picture; the compositor overlays
// it on frames.
import type { SKRSContext2D } from "@napi-rs/canvas";
import { createRdpDecoder, type PointerState, type RdpGraphicsDecoder, type RdpRect } from "../../rdp/index.ts";

export interface RdpApplied {
  /** Screen areas that changed. */
  dirty: RdpRect[];
  pointerChanged: boolean;
  /** Problems in the input, each for an update the decoder skipped. */
  problems: string[];
}

/** More areas than this waiting for the canvas become their bounding box (memory stays bounded). */
const MAX_PENDING = 64;

export class RdpScreen {
  /** Areas drawn since the canvas was last brought up to date. */
  private pending: RdpRect[] = [];

  private constructor(private readonly decoder: RdpGraphicsDecoder) {}

  /** A decoder for a new RDP connection's screen. Throws RangeError for a size it refuses. */
  static open(width: number, height: number): RdpScreen {
    return new RdpScreen(createRdpDecoder(width, height));
  }

  get pointer(): PointerState {
    return this.decoder.pointer;
  }

  /** The screen's pixels, RGBA, rows of `width` pixels (alpha always 255). Changes with every `apply`. */
  get rgba(): Uint8Array {
    return this.decoder.rgba;
  }

  /** Applies one fast-path PDU to the screen; the canvas catches up at the next `syncCanvas`. */
  apply(pdu: Uint8Array): RdpApplied {
    const result = this.decoder.apply(pdu);
    if (result.dirty.length > 0) {
      for (const r of result.dirty) this.pending.push(r);
      if (this.pending.length > MAX_PENDING) this.pending = [boundingBox(this.pending)];
    }
    return {
      dirty: result.dirty,
      pointerChanged: result.pointerChanged,
      problems: result.problems.map((p) => `RDP ${p.kind}: ${p.message}`),
    };
  }

  /** Copies what changed since the last call onto `ctx` (a canvas of the screen's size). */
  syncCanvas(ctx: SKRSContext2D): void {
    if (this.pending.length === 0) return;
    const rects = coalesce(this.pending);
    this.pending = [];
    for (const rect of rects) this.copy(rect, ctx);
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

function boundingBox(rects: RdpRect[]): RdpRect {
  const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (const r of rects) {
    box.left = Math.min(box.left, r.left);
    box.top = Math.min(box.top, r.top);
    box.right = Math.max(box.right, r.right);
    box.bottom = Math.max(box.bottom, r.bottom);
  }
  return box;
}

/**
 * Fewer, larger copies: one bounding box when it is not much bigger than the rectangles themselves
 * (a RemoteFX update is often dozens of adjacent 64×64 tiles), else the rectangles as they are.
 */
function coalesce(rects: RdpRect[]): RdpRect[] {
  if (rects.length < 2) return rects;
  let area = 0;
  for (const r of rects) area += (r.right - r.left) * (r.bottom - r.top);
  const box = boundingBox(rects);
  return (box.right - box.left) * (box.bottom - box.top) <= 2 * area ? [box] : rects;
}
