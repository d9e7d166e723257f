// RLGR entropy decoding of one RemoteFX tile component (MS-RDPRFX 3.1.8.1.7.3): adaptive run-length /
// Golomb-Rice, in its RLGR1 and RLGR3 flavours. Bits are read MSB first. Written as one loop over local
// variables (no closures over mutable state) because it is the decoder's hottest code.

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

// Input is copied into this scratch as big-endian 32-bit words, zero-padded, so the 32-bit window below is two
// word loads and never reads out of bounds (a decode stops within a few words once it is past the end).
let words = new Int32Array(2048);
const PAD_WORDS = 16;

/** Loads `length` bytes at `src[offset]` into `words` (big-endian, zero-padded); returns the scratch. */
function loadWords(src: Uint8Array, offset: number, length: number): Int32Array {
  const count = (length + 3) >>> 2;
  if (words.length < count + PAD_WORDS) words = new Int32Array(count + PAD_WORDS + 1024);
  const w = words;
  const whole = length >>> 2;
  let i = offset;
  for (let j = 0; j < whole; j++, i += 4) w[j] = (src[i]! << 24) | (src[i + 1]! << 16) | (src[i + 2]! << 8) | src[i + 3]!;
  if (whole < count) {
    let last = 0;
    for (let k = 0; k < 4; k++) last = (last << 8) | (i + k < offset + length ? src[i + k]! : 0);
    w[whole] = last;
  }
  w.fill(0, count, count + PAD_WORDS);
  return w;
}

/** The 32 bits starting at bit `pos` of the word stream (an int32: callers shift with >>>). */
function peek32(w: Int32Array, pos: number): number {
  const i = pos >>> 5;
  const sh = pos & 31;
  return sh === 0 ? w[i]! : (w[i]! << sh) | (w[i + 1]! >>> (32 - sh));
}

/**
 * Decodes `length` bytes at `src[offset]` into `out` (all of it is written: a stream that ends early is an
 * overrun; values beyond `out.length` are dropped, as the reference decoders do). Each non-zero value is stored
 * shifted left by `shifts[position]` (RemoteFX dequantisation, done here so that only the values the stream
 * codes are touched; 16-bit like the reference). `shifts` has at least `out.length` entries.
 */
export function rlgrDecode(mode: number, src: Uint8Array, offset: number, length: number, out: Int16Array, shifts: Uint8Array): RlgrStatus {
  const buf = loadWords(src, offset, length);
  const totalBits = length * 8;
  const size = out.length;
  const rlgr1 = mode === RLGR1;
  // Zero runs then only move the write position.
  out.fill(0);
  let pos = 0;
  let o = 0;
  let k = 1;
  let kp = k << LSGR;
  let kr = 1;
  let krp = kr << LSGR;

  while (o < size) {
    if (pos > totalBits) return RlgrStatus.Overrun;
    let sign = -1; // ≥ 0: run-length mode, the sign of the non-zero value that ends the run
    if (k !== 0) {
      // Run-length mode: each 0 bit is a run of 1<<k zeros (k grows with each), then a 1.
      for (;;) {
        const zeros = Math.clz32(peek32(buf, pos));
        const n = zeros === 32 ? 32 : zeros;
        for (let z = 0; z < n; z++) {
          const run = 1 << k;
          o = run > size - o ? size : o + run;
          kp = kp + UP_GR > KPMAX ? KPMAX : kp + UP_GR;
          k = kp >> LSGR;
          if (o >= size) return pos + z + 1 > totalBits ? RlgrStatus.Overrun : RlgrStatus.Ok;
        }
        pos += n;
        if (pos > totalBits) return RlgrStatus.Overrun;
        if (zeros < 32) break;
      }
      pos += 1; // the terminating 1
      // Then k bits of remaining run, and the sign of the value after it.
      const run = k === 0 ? 0 : peek32(buf, pos) >>> (32 - k);
      pos += k;
      o = run > size - o ? size : o + run;
      sign = peek32(buf, pos) >>> 31;
      pos += 1;
    }

    // Golomb-Rice code with adaptive kr: unary count of 1s ended by a 0, then kr bits.
    let vk: number;
    let mag: number;
    if (pos > totalBits) return RlgrStatus.Overrun;
    const word = peek32(buf, pos);
    const ones = Math.clz32(~word);
    if (ones + 1 + kr <= 32) {
      // Usual case: the unary part and the kr bits are in the same 32-bit window.
      vk = ones;
      mag = kr === 0 ? vk : (vk << kr) | ((word << (ones + 1)) >>> (32 - kr));
      pos += ones + 1 + kr;
    } else {
      vk = 0;
      for (;;) {
        if (pos > totalBits) return RlgrStatus.Overrun;
        const n = Math.clz32(~peek32(buf, pos));
        if (n < 32) {
          vk += n;
          pos += n + 1;
          break;
        }
        vk += 32;
        pos += 32;
      }
      mag = vk * (1 << kr) + (kr === 0 ? 0 : peek32(buf, pos) >>> (32 - kr));
      pos += kr;
    }
    if (vk === 0) {
      krp = krp < 2 ? 0 : krp - 2;
      kr = krp >> LSGR;
    } else if (vk !== 1) {
      krp = krp + vk > KPMAX ? KPMAX : krp + vk;
      kr = krp >> LSGR;
    }

    if (sign >= 0) {
      // Run-length mode: the value is non-zero, coded as magnitude − 1.
      if (mag > 0xffff) return RlgrStatus.Invalid;
      if (o < size) {
        out[o] = (sign ? -(mag + 1) : mag + 1) << shifts[o]!;
        o++;
      }
      kp = kp < DN_GR ? 0 : kp - DN_GR;
      k = kp >> LSGR;
    } else if (rlgr1) {
      if (mag > 0x1ffff) return RlgrStatus.Invalid;
      if (mag === 0) {
        out[o++] = 0;
        kp = kp + UQ_GR > KPMAX ? KPMAX : kp + UQ_GR;
      } else {
        out[o] = (mag & 1 ? -((mag + 1) >> 1) : mag >> 1) << shifts[o]!;
        o++;
        kp = kp < DQ_GR ? 0 : kp - DQ_GR;
      }
      k = kp >> LSGR;
    } else {
      // RLGR3: two values coded as their sum; the first takes as many bits as the sum needs.
      if (mag > 0x3ffff) return RlgrStatus.Invalid;
      const nIdx = 32 - Math.clz32(mag);
      const v1 = nIdx === 0 ? 0 : peek32(buf, pos) >>> (32 - nIdx);
      pos += nIdx;
      const v2 = mag - v1;
      if (v2 < 0) return RlgrStatus.Invalid;
      if (v1 !== 0 && v2 !== 0) {
        kp = kp < 2 * DQ_GR ? 0 : kp - 2 * DQ_GR;
      } else if (v1 === 0 && v2 === 0) {
        kp = kp + 2 * UQ_GR > KPMAX ? KPMAX : kp + 2 * UQ_GR;
      }
      k = kp >> LSGR;
      out[o] = (v1 & 1 ? -((v1 + 1) >> 1) : v1 >> 1) << shifts[o]!;
      o++;
      if (o < size) {
        out[o] = (v2 & 1 ? -((v2 + 1) >> 1) : v2 >> 1) << shifts[o]!;
        o++;
      }
    }
  }
  return pos > totalBits ? RlgrStatus.Overrun : RlgrStatus.Ok;
}
