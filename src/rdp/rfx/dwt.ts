// RemoteFX inverse discrete wavelet transform (MS-RDPRFX 3.1.8.1.5, the lifting steps), 3 levels over a
// 64×64 tile held as 4096 Int16 coefficients. 16-bit arithmetic as FreeRDP's SSE2 decoder (what xfreerdp runs on
// x86-64) does it: every sum wraps to 16 bits before it is halved (`(s << 16) >> 17`), which differs from plain C
// only when strong edges overflow int16 — and then the client shows the wrapped result, so we do too.

/**
 * One level: the sub-bands HL, LH, HH, LL (each `w`×`w`) at `buffer[offset]` become a (2w)×(2w) block there.
 * `tmp` holds the horizontal pass (at least 4·w·w values).
 */
function idwtLevel(buffer: Int16Array, offset: number, tmp: Int16Array, w: number): void {
  const area = w * w;
  const tw = 2 * w;
  const hl = offset;
  const lh = offset + area;
  const hh = offset + 2 * area;
  const ll = offset + 3 * area;
  // Horizontal: L rows from LL and HL into tmp[0..2·area), H rows from LH and HH into tmp[2·area..4·area).
  for (let y = 0; y < w; y++) {
    const row = y * w;
    const lDst = y * tw;
    const hDst = 2 * area + y * tw;
    tmp[lDst] = buffer[ll + row]! - (((buffer[hl + row]! + buffer[hl + row]! + 1) << 16) >> 17);
    tmp[hDst] = buffer[lh + row]! - (((buffer[hh + row]! + buffer[hh + row]! + 1) << 16) >> 17);
    for (let n = 1; n < w; n++) {
      const x = n << 1;
      tmp[lDst + x] = buffer[ll + row + n]! - (((buffer[hl + row + n - 1]! + buffer[hl + row + n]! + 1) << 16) >> 17);
      tmp[hDst + x] = buffer[lh + row + n]! - (((buffer[hh + row + n - 1]! + buffer[hh + row + n]! + 1) << 16) >> 17);
    }
    let n = 0;
    for (; n < w - 1; n++) {
      const x = n << 1;
      tmp[lDst + x + 1] = (buffer[hl + row + n]! << 1) + (((tmp[lDst + x]! + tmp[lDst + x + 2]!) << 16) >> 17);
      tmp[hDst + x + 1] = (buffer[hh + row + n]! << 1) + (((tmp[hDst + x]! + tmp[hDst + x + 2]!) << 16) >> 17);
    }
    const x = n << 1;
    tmp[lDst + x + 1] = (buffer[hl + row + n]! << 1) + ((tmp[lDst + x]! << 17) >> 17);
    tmp[hDst + x + 1] = (buffer[hh + row + n]! << 1) + ((tmp[hDst + x]! << 17) >> 17);
  }
  // Vertical, row by row: even output rows from L and H, then odd rows from H and the even rows around them.
  const hBase = 2 * area;
  for (let n = 0; n < w; n++) {
    const l = n * tw;
    const h = hBase + n * tw;
    const hPrev = n === 0 ? h : h - tw;
    const dst = offset + 2 * n * tw;
    for (let x = 0; x < tw; x++) buffer[dst + x] = tmp[l + x]! - (((tmp[hPrev + x]! + tmp[h + x]! + 1) << 16) >> 17);
  }
  for (let n = 0; n < w; n++) {
    const h = hBase + n * tw;
    const prev = offset + 2 * n * tw;
    const next = n === w - 1 ? prev : prev + 2 * tw;
    const dst = prev + tw;
    for (let x = 0; x < tw; x++) buffer[dst + x] = (tmp[h + x]! << 1) + (((buffer[prev + x]! + buffer[next + x]!) << 16) >> 17);
  }
}

/** Inverse 3-level DWT of a tile in place: bands HL1 LH1 HH1 (1024 each), HL2 LH2 HH2 (256), HL3 LH3 HH3 LL3 (64). */
export function inverseDwt(buffer: Int16Array, tmp: Int16Array): void {
  idwtLevel(buffer, 3840, tmp, 8);
  idwtLevel(buffer, 3072, tmp, 16);
  idwtLevel(buffer, 0, tmp, 32);
}
