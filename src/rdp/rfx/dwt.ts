// RemoteFX inverse discrete wavelet transform (MS-RDPRFX 3.1.8.1.5, the lifting steps), 3 levels over a
// 64×64 tile held as 4096 Int16 coefficients. 16-bit arithmetic as FreeRDP's SSE2 decoder (what xfreerdp runs on
// x86-64) does it: every sum wraps to 16 bits before it is halved (`(s << 16) >> 17`), which differs from plain C
// only when strong edges overflow int16 — and then the client shows the wrapped result, so we do too.
//
// Each lifting pass walks one line (a row, then a column) once, keeping the previous high and even values in
// locals, so every coefficient is loaded once and every output stored once. Values kept in locals are wrapped
// to 16 bits (`(v << 16) >> 16`) exactly where the straightforward version stores them to an Int16Array.

/**
 * One level: the sub-bands HL, LH, HH, LL (each `w`×`w`) at `buffer[offset]` become a (2w)×(2w) block there.
 * `tmp` holds the horizontal pass (at least 4·w·w values): L rows then H rows, each 2w wide.
 */
function idwtLevel(buffer: Int16Array, offset: number, tmp: Int16Array, w: number): void {
  const area = w * w;
  const tw = 2 * w;
  const hBase = 2 * area;
  // Horizontal: L rows from LL (low) and HL (high), H rows from LH and HH.
  for (let y = 0; y < w; y++) {
    const row = y * w;
    horizontal(buffer, offset + 3 * area + row, offset + row, tmp, y * tw, w);
    horizontal(buffer, offset + area + row, offset + 2 * area + row, tmp, hBase + y * tw, w);
  }
  // Vertical, column by column: even output rows from L and H, odd rows from H and the even rows around them.
  const last = offset + (tw - 1) * tw;
  for (let x = 0; x < tw; x++) {
    let hPrev = tmp[hBase + x]!;
    let ePrev = ((tmp[x]! - (((hPrev + hPrev + 1) << 16) >> 17)) << 16) >> 16;
    let d = offset + x;
    buffer[d] = ePrev;
    for (let s = x + tw; s < hBase; s += tw) {
      const h = tmp[hBase + s]!;
      const e = ((tmp[s]! - (((hPrev + h + 1) << 16) >> 17)) << 16) >> 16;
      buffer[d + tw] = (hPrev << 1) + (((ePrev + e) << 16) >> 17);
      d += 2 * tw;
      buffer[d] = e;
      ePrev = e;
      hPrev = h;
    }
    buffer[last + x] = (hPrev << 1) + ((ePrev << 17) >> 17);
  }
}

/** One row of the horizontal pass: `w` low and `w` high coefficients → 2w values at `out[dst]`. */
function horizontal(src: Int16Array, low: number, high: number, out: Int16Array, dst: number, w: number): void {
  let hPrev = src[high]!;
  let ePrev = ((src[low]! - (((hPrev + hPrev + 1) << 16) >> 17)) << 16) >> 16;
  out[dst] = ePrev;
  for (let n = 1; n < w; n++) {
    const h = src[high + n]!;
    const e = ((src[low + n]! - (((hPrev + h + 1) << 16) >> 17)) << 16) >> 16;
    out[dst + 2 * n - 1] = (hPrev << 1) + (((ePrev + e) << 16) >> 17);
    out[dst + 2 * n] = e;
    ePrev = e;
    hPrev = h;
  }
  out[dst + 2 * w - 1] = (hPrev << 1) + ((ePrev << 17) >> 17);
}

/**
 * A level whose HL, LH and HH bands are all zero (most chroma, and flat areas of luma, at level 1): the lifting
 * steps above with every high coefficient 0, so the H rows vanish and the L rows are LL with each odd value the
 * wrapped mean of its neighbours, horizontally and then vertically.
 */
function idwtLevelLowOnly(buffer: Int16Array, offset: number, tmp: Int16Array, w: number): void {
  const area = w * w;
  const tw = 2 * w;
  const ll = offset + 3 * area;
  for (let y = 0; y < w; y++) {
    const src = ll + y * w;
    const dst = y * tw;
    let ePrev = buffer[src]!;
    tmp[dst] = ePrev;
    for (let n = 1; n < w; n++) {
      const e = buffer[src + n]!;
      tmp[dst + 2 * n - 1] = ((ePrev + e) << 16) >> 17;
      tmp[dst + 2 * n] = e;
      ePrev = e;
    }
    tmp[dst + tw - 1] = (ePrev << 17) >> 17;
  }
  const last = offset + (tw - 1) * tw;
  for (let x = 0; x < tw; x++) {
    let ePrev = tmp[x]!;
    let d = offset + x;
    buffer[d] = ePrev;
    for (let s = x + tw; s < area * 2; s += tw) {
      const e = tmp[s]!;
      buffer[d + tw] = ((ePrev + e) << 16) >> 17;
      d += 2 * tw;
      buffer[d] = e;
      ePrev = e;
    }
    buffer[last + x] = (ePrev << 17) >> 17;
  }
}

/** True when `buffer[from, to)` is all zero. */
function allZero(buffer: Int16Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buffer[i] !== 0) return false;
  return true;
}

/** Inverse 3-level DWT of a tile in place: bands HL1 LH1 HH1 (1024 each), HL2 LH2 HH2 (256), HL3 LH3 HH3 LL3 (64). */
export function inverseDwt(buffer: Int16Array, tmp: Int16Array): void {
  idwtLevel(buffer, 3840, tmp, 8);
  if (allZero(buffer, 3072, 3840)) idwtLevelLowOnly(buffer, 3072, tmp, 16);
  else idwtLevel(buffer, 3072, tmp, 16);
  if (allZero(buffer, 0, 3072)) idwtLevelLowOnly(buffer, 0, tmp, 32);
  else idwtLevel(buffer, 0, tmp, 32);
}
