// Surface commands (fast-path updateCode 4, MS-RDPBCGR 2.2.9.2): frame markers and SET/STREAM_SURF_BITS
// bitmaps. The codec is recognised by the data (RemoteFX blocks), since the codecID is whatever number the
// server chose in a capability exchange a recording does not hold; codecID 0 is uncompressed 32 bpp.
import { RdpInputError } from "./errors";
import { RfxDecoder, looksLikeRemoteFx } from "./rfx/message";
import type { RdpProblem, RdpRect } from "./types";

const CMDTYPE_SET_SURFACE_BITS = 0x0001;
const CMDTYPE_FRAME_MARKER = 0x0004;
const CMDTYPE_STREAM_SURFACE_BITS = 0x0006;
const EX_COMPRESSED_BITMAP_HEADER_PRESENT = 0x01;
const CODEC_ID_NONE = 0;

export interface SurfaceScreen {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export class SurfaceCommandDecoder {
  readonly rfx = new RfxDecoder();
  frameMarkers = 0;

  /**
   * Applies all commands of one (reassembled) surface-commands update, adding changed areas to `dirty` as it goes.
   * A bad bitmap is skipped and reported when its length is known; a broken command structure throws (commands
   * before it stay drawn and in `dirty`).
   */
  apply(data: Uint8Array, screen: SurfaceScreen, problems: RdpProblem[], dirty: RdpRect[]): void {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let pos = 0; pos < data.length; ) {
      if (data.length - pos < 2) throw new RdpInputError("truncated", "surface command ends inside its type");
      const type = view.getUint16(pos, true);
      if (type === CMDTYPE_FRAME_MARKER) {
        if (data.length - pos < 8) throw new RdpInputError("truncated", "frame marker ends early");
        this.frameMarkers++;
        pos += 8;
        continue;
      }
      if (type !== CMDTYPE_SET_SURFACE_BITS && type !== CMDTYPE_STREAM_SURFACE_BITS) {
        throw new RdpInputError("unsupported", `surface command type 0x${type.toString(16)}`);
      }
      if (data.length - pos < 22) throw new RdpInputError("truncated", "surface bits command ends inside its header");
      const destLeft = view.getUint16(pos + 2, true);
      const destTop = view.getUint16(pos + 4, true);
      const flags = view.getUint8(pos + 11);
      const codecId = view.getUint8(pos + 13);
      const width = view.getUint16(pos + 14, true);
      const height = view.getUint16(pos + 16, true);
      const length = view.getUint32(pos + 18, true);
      let start = pos + 22;
      if (flags & EX_COMPRESSED_BITMAP_HEADER_PRESENT) start += 24;
      if (start + length > data.length) {
        throw new RdpInputError("truncated", `surface bits of ${length} bytes, ${Math.max(0, data.length - start)} left`);
      }
      const bitmap = data.subarray(start, start + length);
      try {
        if (looksLikeRemoteFx(bitmap)) {
          this.rfx.apply(bitmap, destLeft, destTop, screen, problems, dirty);
        } else if (codecId === CODEC_ID_NONE) {
          const r = drawUncompressed(bitmap, destLeft, destTop, width, height, screen);
          if (r) dirty.push(r);
        } else {
          throw new RdpInputError("unsupported-codec", `surface bits with codec ${codecId} that is not RemoteFX (NSCodec and others are not decoded)`);
        }
      } catch (err) {
        if (!(err instanceof RdpInputError)) throw err;
        problems.push(err.toProblem());
      }
      pos = start + length;
    }
  }
}

/** Uncompressed surface bits: 32 bpp BGRX, top-down rows, clipped to the screen. */
function drawUncompressed(bitmap: Uint8Array, left: number, top: number, width: number, height: number, screen: SurfaceScreen): RdpRect | null {
  if (bitmap.length < width * height * 4) {
    throw new RdpInputError("truncated", `uncompressed surface bits ${width}×${height} need ${width * height * 4} bytes, have ${bitmap.length}`);
  }
  const right = Math.min(left + width, screen.width);
  const bottom = Math.min(top + height, screen.height);
  if (left >= right || top >= bottom) {
    throw new RdpInputError("rect-outside-screen", `uncompressed surface bits at (${left},${top}) are outside the ${screen.width}×${screen.height} screen`);
  }
  const out = screen.rgba;
  for (let y = top; y < bottom; y++) {
    let s = (y - top) * width * 4;
    let d = (y * screen.width + left) * 4;
    for (let x = left; x < right; x++, s += 4, d += 4) {
      out[d] = bitmap[s + 2]!;
      out[d + 1] = bitmap[s + 1]!;
      out[d + 2] = bitmap[s]!;
      out[d + 3] = 255;
    }
  }
  return { left, top, right, bottom };
}
