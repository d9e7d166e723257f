// The RDP pointer on video frames, where the RDP client would show it: drawn onto each frame's copy of
// the picture (never onto the screen itself), at the screen-to-video placement. Remembers the rows it
// drew so the next partial frame update reads them back clean from the screen.
import { DEFAULT_POINTER, drawPointer, type PointerState } from "../../rdp/index.ts";
import type { RowSpan } from "./rowSpan.ts";
import type { Placement, Size } from "./fit.ts";

export class PointerOverlay {
  /** Rows of the video the pointer was last drawn on. */
  private drawnRows: RowSpan | null = null;

  /** The pointer in video coordinates, or null when there is none to draw. */
  place(pointer: PointerState | null, screen: Size, placement: Placement): PointerState | null {
    if (!pointer || !pointer.visible) return null;
    const x = placement.x + Math.round((pointer.x * placement.width) / screen.width);
    const y = placement.y + Math.round((pointer.y * placement.height) / screen.height);
    return { ...pointer, x, y };
  }

  /** Rows a frame update must read back fresh: where the pointer was and where it will be. */
  rowsToRefresh(placed: PointerState | null, video: Size): RowSpan[] {
    const rows: RowSpan[] = [];
    if (this.drawnRows) rows.push(this.drawnRows);
    if (placed) {
      const shape = placed.shape ?? DEFAULT_POINTER;
      const top = Math.max(0, placed.y - shape.hotY);
      const bottom = Math.min(video.height, placed.y - shape.hotY + shape.height);
      if (top < bottom) rows.push([top, bottom]);
    }
    return rows;
  }

  /** Draws the placed pointer onto `frame` (video size, RGBA). Returns the rows drawn on. */
  draw(frame: Uint8ClampedArray, video: Size, placed: PointerState | null): RowSpan | null {
    const rect = placed ? drawPointer(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength), video.width, video.height, placed) : null;
    this.drawnRows = rect ? [rect.top, rect.bottom] : null;
    return this.drawnRows;
  }
}
