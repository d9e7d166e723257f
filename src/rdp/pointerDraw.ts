// Draws the pointer onto a picture of the screen, the way an RDP client shows it: the shape's hot spot at the
// pointer position, alpha-blended, "invert" pixels inverting what is under them; the system arrow when the
// server asked for the default pointer. The decoder's own screen never contains the pointer.
import type { RdpPointerShape } from "./pointer";
import type { PointerShape, PointerState, RdpRect } from "./types";

// The classic arrow: B black outline, W white fill, . transparent. Hot spot at its tip (0, 0).
const ARROW = [
  "B...........",
  "BB..........",
  "BWB.........",
  "BWWB........",
  "BWWWB.......",
  "BWWWWB......",
  "BWWWWWB.....",
  "BWWWWWWB....",
  "BWWWWWWWB...",
  "BWWWWWWWWB..",
  "BWWWWWWWWWB.",
  "BWWWWWWBBBBB",
  "BWWWBWWB....",
  "BWWBBWWB....",
  "BWB..BWWB...",
  "BB...BWWB...",
  "B.....BWWB..",
  "......BWWB..",
  ".......BB...",
];

function arrow(): PointerShape {
  const width = ARROW[0]!.length;
  const height = ARROW.length;
  const rgba = new Uint8Array(width * height * 4);
  ARROW.forEach((row, y) => {
    for (let x = 0; x < width; x++) {
      const c = row[x];
      if (c === ".") continue;
      const v = c === "W" ? 255 : 0;
      rgba.set([v, v, v, 255], (y * width + x) * 4);
    }
  });
  return { width, height, hotX: 0, hotY: 0, rgba };
}

/** The shape shown for a visible pointer whose shape is null (the system default). */
export const DEFAULT_POINTER: PointerShape = arrow();

/**
 * Draws `pointer` into `rgba` (a width×height RGBA picture, usually a copy of the decoder's screen).
 * Returns the area drawn, or null when the pointer is hidden or off the picture.
 */
export function drawPointer(rgba: Uint8Array, width: number, height: number, pointer: PointerState): RdpRect | null {
  if (!pointer.visible) return null;
  const shape: RdpPointerShape = pointer.shape ?? DEFAULT_POINTER;
  const left = pointer.x - shape.hotX;
  const top = pointer.y - shape.hotY;
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(width, left + shape.width);
  const y1 = Math.min(height, top + shape.height);
  if (x0 >= x1 || y0 >= y1) return null;
  const src = shape.rgba;
  const invert = shape.invert;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const si = (y - top) * shape.width + (x - left);
      const d = (y * width + x) * 4;
      if (invert && invert[si]) {
        rgba[d] = 255 - rgba[d]!;
        rgba[d + 1] = 255 - rgba[d + 1]!;
        rgba[d + 2] = 255 - rgba[d + 2]!;
        continue;
      }
      const a = src[si * 4 + 3]!;
      if (a === 0) continue;
      if (a === 255) {
        rgba[d] = src[si * 4]!;
        rgba[d + 1] = src[si * 4 + 1]!;
        rgba[d + 2] = src[si * 4 + 2]!;
      } else {
        for (let c = 0; c < 3; c++) rgba[d + c] = (src[si * 4 + c]! * a + rgba[d + c]! * (255 - a) + 127) / 255 | 0;
      }
      rgba[d + 3] = 255;
    }
  }
  return { left: x0, top: y0, right: x1, bottom: y1 };
}
