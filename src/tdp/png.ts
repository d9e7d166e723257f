// PNG-bomb defence: read only the signature and IHDR of a tile's PNG (src/png/header.ts) and make sure the
// image is exactly the size of its rectangle before anything inflates it. Decoding pixels happens elsewhere.
import { IHDR_DATA_OFFSET, PngFormatError, readPngHeader, type PngHeader } from "../png/header.ts";
import { checkTileRect, tilePngOffset } from "./checks.ts";
import { TdpDecodeError } from "./errors.ts";
import type { PNG2Frame, PNGFrame } from "./messages.ts";

export type PngInfo = Pick<PngHeader, "width" | "height" | "bitDepth" | "colorType">;

/** Width, height, bit depth and colour type from the signature and IHDR only. Throws TdpDecodeError (messageType null). */
export function pngInfo(png: Uint8Array): PngInfo {
  return headerOf(png, null, 0);
}

/**
 * Throws TdpDecodeError unless the tile's rectangle is non-empty and at most 8192 on a side, and its
 * PNG has a valid signature and IHDR whose size equals the rectangle (type 27 edges are inclusive).
 */
export function validateTile(m: PNGFrame | PNG2Frame): void {
  const rect = checkTileRect(
    {
      fail(reason: string, offset = 0): never {
        throw new TdpDecodeError(m.type, offset, reason);
      },
    },
    m,
  );
  const pngOffset = tilePngOffset(m.type);
  const info = headerOf(m.png, m.type, pngOffset);
  if (info.width !== rect.width || info.height !== rect.height) {
    throw new TdpDecodeError(
      m.type,
      pngOffset + IHDR_DATA_OFFSET,
      `PNG is ${info.width}x${info.height} but the tile rectangle is ${rect.width}x${rect.height}`,
    );
  }
}

/** The PNG's header, its format errors as TdpDecodeErrors at offsets relative to `base` (where the PNG starts in its message). */
function headerOf(png: Uint8Array, messageType: number | null, base: number): PngInfo {
  try {
    const { width, height, bitDepth, colorType } = readPngHeader(png);
    return { width, height, bitDepth, colorType };
  } catch (err) {
    if (err instanceof PngFormatError) throw new TdpDecodeError(messageType, base + err.offset, err.message);
    throw err;
  }
}
