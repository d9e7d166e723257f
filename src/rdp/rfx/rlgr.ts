// RLGR entropy decoding of one RemoteFX tile component (MS-RDPRFX 3.1.8.1.7.3): adaptive run-length /
// Golomb-Rice, in its RLGR1 and RLGR3 flavours. Bits are read MSB first.

export const RLGR1 = 1;
export const RLGR3 = 4;

const KPMAX = 80;
const LSGR = 3;
const UP_GR = 4;
const DN_GR = 6;
const UQ_GR = 3;
const DQ_GR = 3;

/** What a decode did with its input. */
export const enum RlgrStatus {
  Ok = 0,
  /** The output filled up only by reading past the end of the component's bytes. */
  Overrun = 1,
  /** A value too big for any real coefficient (lying data). */
  Invalid = 2,
}

// Input is copied into this padded scratch so the 40-bit window below never reads out of bounds.
let scratch = new Uint8Array(8192);
const PAD = 32;

/**
 * Decodes `length` bytes at `src[offset]` into `out` (all of it is written: a stream that ends early is an
 * overrun, extra values beyond `out.length` are dropped as the reference decoders do).
 */
export function rlgrDecode(mode: number, src: Uint8Array, offset: number, length: number, out: Int16Array): RlgrStatus {
  if (scratch.length < length + PAD) scratch = new Uint8Array(length + PAD + 4096);
  const buf = scratch;
  buf.set(src.subarray(offset, offset + length));
  buf.fill(0, length, length + PAD);
  const totalBits = length * 8;
  const size = out.length;
  let pos = 0;
  let o = 0;

  // Next 32 bits from `pos` (zeros past the end of the data).
  const peek = (): number => {
    const i = pos >>> 3;
    const sh = pos & 7;
    const w = (buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!;
    return sh === 0 ? w >>> 0 : ((w << sh) | (buf[i + 4]! >>> (8 - sh))) >>> 0;
  };
  const getBits = (n: number): number => {
    if (n === 0) return 0;
    const v = peek() >>> (32 - n);
    pos += n;
    return v;
  };

  let k = 1;
  let kp = k << LSGR;
  let kr = 1;
  let krp = kr << LSGR;

  // Golomb-Rice code with adaptive kr: unary count of 1s (ended by a 0), then kr bits.
  const grCode = (): number => {
    let vk = 0;
    for (;;) {
      if (pos > totalBits) return -1;
      const w = peek();
      const ones = Math.clz32(~w);
      if (ones < 32) {
        vk += ones;
        pos += ones + 1;
        break;
      }
      vk += 32;
      pos += 32;
    }
    const mag = vk * (1 << kr) + getBits(kr);
    if (vk === 0) {
      krp = krp - 2 < 0 ? 0 : krp - 2;
      kr = krp >> LSGR;
    } else if (vk !== 1) {
      krp = krp + vk > KPMAX ? KPMAX : krp + vk;
      kr = krp >> LSGR;
    }
    return mag;
  };

  while (o < size) {
    if (pos > totalBits) return RlgrStatus.Overrun;
    if (k !== 0) {
      // Run-length mode: each 0 bit is a run of 1<<k zeros; then k bits of remaining run, sign, magnitude-1.
      while (getBits(1) === 0) {
        let run = 1 << k;
        if (o + run > size) run = size - o;
        out.fill(0, o, o + run);
        o += run;
        kp = kp + UP_GR > KPMAX ? KPMAX : kp + UP_GR;
        k = kp >> LSGR;
        if (o >= size) return pos > totalBits ? RlgrStatus.Overrun : RlgrStatus.Ok;
        if (pos > totalBits) return RlgrStatus.Overrun;
      }
      let run = getBits(k);
      if (o + run > size) run = size - o;
      out.fill(0, o, o + run);
      o += run;
      const sign = getBits(1);
      const code = grCode();
      if (code < 0) return RlgrStatus.Overrun;
      if (code > 0xffff) return RlgrStatus.Invalid;
      if (o < size) out[o++] = sign ? -(code + 1) : code + 1;
      kp = kp - DN_GR < 0 ? 0 : kp - DN_GR;
      k = kp >> LSGR;
    } else {
      // Golomb-Rice mode.
      const mag = grCode();
      if (mag < 0) return RlgrStatus.Overrun;
      if (mode === RLGR1) {
        if (mag > 0x1ffff) return RlgrStatus.Invalid;
        if (mag === 0) {
          out[o++] = 0;
          kp = kp + UQ_GR > KPMAX ? KPMAX : kp + UQ_GR;
        } else {
          out[o++] = mag & 1 ? -((mag + 1) >> 1) : mag >> 1;
          kp = kp - DQ_GR < 0 ? 0 : kp - DQ_GR;
        }
        k = kp >> LSGR;
      } else {
        // RLGR3: two values coded as their sum; the first takes as many bits as the sum needs.
        if (mag > 0x3ffff) return RlgrStatus.Invalid;
        const nIdx = 32 - Math.clz32(mag);
        const v1 = getBits(nIdx);
        const v2 = mag - v1;
        if (v2 < 0) return RlgrStatus.Invalid;
        if (v1 !== 0 && v2 !== 0) {
          kp = kp - 2 * DQ_GR < 0 ? 0 : kp - 2 * DQ_GR;
        } else if (v1 === 0 && v2 === 0) {
          kp = kp + 2 * UQ_GR > KPMAX ? KPMAX : kp + 2 * UQ_GR;
        }
        k = kp >> LSGR;
        out[o++] = v1 & 1 ? -((v1 + 1) >> 1) : v1 >> 1;
        if (o < size) out[o++] = v2 & 1 ? -((v2 + 1) >> 1) : v2 >> 1;
      }
    }
  }
  return pos > totalBits ? RlgrStatus.Overrun : RlgrStatus.Ok;
}
