// Palette update (fast-path updateCode 2, TS_UPDATE_PALETTE_DATA): the 256 colours of an 8 bpp session.
import { RdpInputError } from "./errors";

/** Returns 256×RGB (768 bytes) from a palette update's data (which starts with updateType = 2). */
export function readPaletteUpdate(data: Uint8Array): Uint8Array {
  if (data.length < 8) throw new RdpInputError("truncated", `palette update of ${data.length} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getUint32(4, true);
  if (count > 256 || count === 0) throw new RdpInputError("palette-invalid", `palette of ${count} colours (1–256)`);
  if (data.length < 8 + count * 3) throw new RdpInputError("truncated", `palette of ${count} colours needs ${8 + count * 3} bytes, has ${data.length}`);
  const palette = new Uint8Array(768);
  palette.set(data.subarray(8, 8 + count * 3));
  return palette;
}
