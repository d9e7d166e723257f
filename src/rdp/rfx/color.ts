// RemoteFX YCbCr → RGB for one 64×64 tile, with the integer arithmetic of FreeRDP's SSE2 primitive
// (sse2_yCbCrToRGB_16s8u_P3AC4R, what xfreerdp runs on x86-64): factors scaled by 2^14, the high 16 bits of
// each signed product, 16-bit wrap-around, >> 3 and a clamp. Y/Cb/Cr are the inverse-DWT outputs (11.5 fixed point,
// Y centred on 0).
//
// Pixels are written straight into the screen as 32-bit words (one store per pixel, no tile-sized copy after):
// R in the low byte, alpha 255 in the high one, which is RGBA in memory on the little-endian machines Bun runs on.

const R_CR = 22986; //  1.403 << 14
const G_CB = -5636; // -0.344 << 14
const G_CR = -11698; // -0.714 << 14
const B_CB = 28999; //  1.770 << 14

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error("RemoteFX colour conversion assumes a little-endian machine");

/**
 * Converts the tile's pixels in columns [`left`, `right`) of rows [`top`, `bottom`) (tile coordinates) and writes
 * them as RGBA words into `out`, tile pixel (0,0) going to `out[at]` and each tile row `stride` words further.
 */
export function ycbcrToRgba(
  y: Int16Array,
  cb: Int16Array,
  cr: Int16Array,
  out: Uint32Array,
  at: number,
  stride: number,
  left: number,
  top: number,
  right: number,
  bottom: number,
): void {
  const width = right - left;
  for (let row = top; row < bottom; row++) {
    let o = at + row * stride + left;
    let i = row * 64 + left;
    const end = i + width;
    for (; i < end; i++, o++) {
      const yy = (((y[i]! + 4096) << 16) >> 16) >> 2;
      const b = cb[i]!;
      const r = cr[i]!;
      // i16() of a sum, then >> 3: the SIMD lanes' wrap-around before the shift.
      let R = ((yy + ((r * R_CR) >> 16)) << 16) >> 19;
      const g = ((yy + ((b * G_CB) >> 16)) << 16) >> 16;
      let G = ((g + ((r * G_CR) >> 16)) << 16) >> 19;
      let B = ((yy + ((b * B_CB) >> 16)) << 16) >> 19;
      R = R < 0 ? 0 : R > 255 ? 255 : R;
      G = G < 0 ? 0 : G > 255 ? 255 : G;
      B = B < 0 ? 0 : B > 255 ? 255 : B;
      out[o] = R | (G << 8) | (B << 16) | 0xff000000;
    }
  }
}
