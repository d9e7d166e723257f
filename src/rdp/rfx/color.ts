// RemoteFX YCbCr → RGB for one 64×64 tile, with the integer arithmetic of FreeRDP's SSE2 primitive
// (sse2_yCbCrToRGB_16s8u_P3AC4R, what xfreerdp runs on x86-64): factors scaled by 2^14, the high 16 bits of
// each signed product, 16-bit wrap-around, >> 3 and a clamp. Y/Cb/Cr are the inverse-DWT outputs (11.5 fixed point,
// Y centred on 0).

const R_CR = 22986; //  1.403 << 14
const G_CB = -5636; // -0.344 << 14
const G_CR = -11698; // -0.714 << 14
const B_CB = 28999; //  1.770 << 14

/** Wraps to a signed 16-bit value, as a 16-bit SIMD lane does. */
function i16(v: number): number {
  return (v << 16) >> 16;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Writes 4096 RGBA pixels (alpha 255) into `rgba` from the three decoded component planes. */
export function ycbcrToRgba(y: Int16Array, cb: Int16Array, cr: Int16Array, rgba: Uint8Array): void {
  for (let i = 0, o = 0; i < 4096; i++, o += 4) {
    const yy = i16(y[i]! + 4096) >> 2;
    const b = cb[i]!;
    const r = cr[i]!;
    rgba[o] = clamp(i16(yy + ((r * R_CR) >> 16)) >> 3);
    rgba[o + 1] = clamp(i16(i16(yy + ((b * G_CB) >> 16)) + ((r * G_CR) >> 16)) >> 3);
    rgba[o + 2] = clamp(i16(yy + ((b * B_CB) >> 16)) >> 3);
    rgba[o + 3] = 255;
  }
}
