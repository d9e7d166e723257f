// Fast-path bitmap updates (updateCode 1, TS_UPDATE_BITMAP_DATA): uncompressed, interleaved RLE and
// planar rectangles drawn onto the screen. The fast-path parser hands over the whole reassembled update.
import { RdpInputError } from "../errors";
import type { RdpRect } from "../types";

export interface RdpScreen {
  width: number;
  height: number;
  /** width*height*4 bytes RGBA, top-down rows. */
  rgba: Uint8Array;
}

/**
 * Draws one bitmap update and returns the screen areas
 * it changed, clipped to the screen. `data` is the whole reassembled fast-path update after updateHeader and size,
 * i.e. TS_UPDATE_BITMAP_DATA from its leading `updateType` u16 (= 1), then `numberRectangles` u16, then the rectangles.
 * `palette` is 256×RGB (768 bytes) from the last palette update, for 8 bpp.
 * Throws RdpInputError on bad input; rectangles drawn before the bad one stay drawn.
 */
export function applyBitmapUpdate(data: Uint8Array, screen: RdpScreen, palette: Uint8Array | null): RdpRect[] {
  void data;
  void screen;
  void palette;
  throw new RdpInputError("unsupported", "bitmap updates (fast-path updateCode 1) are not decoded yet");
}
