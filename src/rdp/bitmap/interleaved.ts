// Interleaved RLE (MS-RDPBCGR 2.2.9.1.1.3.1.2.4, the RDP 5 bitmap compression) at 8, 15, 16 and 24 bpp.
// Decodes into raw pixel values in the stream's row order (bottom-up); pixels.ts turns them into RGBA.
// Every read is bounds-checked and every write is checked against the picture, so a lying stream is an
// RdpInputError, never an overrun.
import { RdpInputError } from "../errors";
import { readPixel } from "./pixels";

// Order codes (as ExtractCodeId returns them: regular = top 3 bits, lite = top 4, mega/special = whole byte).
const REGULAR_BG_RUN = 0x0;
const REGULAR_FG_RUN = 0x1;
const REGULAR_FGBG_IMAGE = 0x2;
const REGULAR_COLOR_RUN = 0x3;
const REGULAR_COLOR_IMAGE = 0x4;
const LITE_SET_FG_FG_RUN = 0xc;
const LITE_SET_FG_FGBG_IMAGE = 0xd;
const LITE_DITHERED_RUN = 0xe;
const MEGA_MEGA_BG_RUN = 0xf0;
const MEGA_MEGA_FG_RUN = 0xf1;
const MEGA_MEGA_FGBG_IMAGE = 0xf2;
const MEGA_MEGA_COLOR_RUN = 0xf3;
const MEGA_MEGA_COLOR_IMAGE = 0xf4;
const MEGA_MEGA_SET_FG_RUN = 0xf6;
const MEGA_MEGA_SET_FGBG_IMAGE = 0xf7;
const MEGA_MEGA_DITHERED_RUN = 0xf8;
const SPECIAL_FGBG_1 = 0xf9;
const SPECIAL_FGBG_2 = 0xfa;
const SPECIAL_WHITE = 0xfd;
const SPECIAL_BLACK = 0xfe;

const MASK_SPECIAL_FGBG_1 = 0x03;
const MASK_SPECIAL_FGBG_2 = 0x05;

function codeOf(header: number): number {
  if ((header & 0xc0) !== 0xc0) return header >> 5;
  if ((header & 0xf0) === 0xf0) return header;
  return header >> 4;
}

/**
 * Decodes an interleaved RLE stream of a `width`×`height` bitmap at `bpp` (8, 15, 16 or 24) into `out`
 * (width*height raw pixel values, bottom-up rows as in the stream). Pixels the stream does not reach stay 0.
 */
export function decodeInterleaved(src: Uint8Array, width: number, height: number, bpp: number, out: Uint32Array): void {
  const pixelBytes = bpp === 8 ? 1 : bpp === 24 ? 3 : bpp === 15 || bpp === 16 ? 2 : 0;
  if (pixelBytes === 0) throw new RdpInputError("bad-bpp", `interleaved RLE has no ${bpp} bpp form`);
  const white = bpp === 8 ? 0xff : bpp === 24 ? 0xffffff : 0xffff;
  const end = src.length;
  const total = width * height;
  out.fill(0, 0, total);

  let pos = 0;
  let dest = 0;
  let fgPel = white;
  let insertFgPel = false;
  let firstLine = true;

  const needSrc = (n: number, what: string) => {
    if (pos + n > end) {
      throw new RdpInputError("truncated", `interleaved RLE: ${what} needs ${n} bytes at ${pos} of ${end}`);
    }
  };
  const needDest = (n: number, what: string) => {
    if (dest + n > total) {
      throw new RdpInputError(
        "rle-overrun",
        `interleaved RLE: ${what} of ${n} pixels at pixel ${dest} overruns the ${width}x${height} bitmap`,
      );
    }
  };
  const readPel = () => {
    needSrc(pixelBytes, "a pixel");
    const v = readPixel(src, pos, bpp);
    pos += pixelBytes;
    return v;
  };
  // Foreground/background bits: a set bit is the foreground (XOR the pixel above, or plain on the first line).
  const fgbg = (bitmask: number, n: number) => {
    needDest(n, "a foreground/background image");
    for (let i = 0; i < n; i++, dest++) {
      const above = firstLine ? 0 : out[dest - width]!;
      out[dest] = bitmask & (1 << i) ? above ^ fgPel : above;
    }
  };

  while (pos < end) {
    if (firstLine && dest >= width) {
      firstLine = false;
      insertFgPel = false;
    }
    const header = src[pos]!;
    const code = codeOf(header);

    // The run length, from the header's low bits, an extra byte, or two (MEGA_MEGA).
    let run = 0;
    let advance = 1;
    switch (code) {
      case REGULAR_FGBG_IMAGE:
        run = header & 0x1f;
        if (run === 0) {
          needSrc(2, "a run length");
          run = src[pos + 1]! + 1;
          advance = 2;
        } else run *= 8;
        break;
      case LITE_SET_FG_FGBG_IMAGE:
        run = header & 0x0f;
        if (run === 0) {
          needSrc(2, "a run length");
          run = src[pos + 1]! + 1;
          advance = 2;
        } else run *= 8;
        break;
      case REGULAR_BG_RUN:
      case REGULAR_FG_RUN:
      case REGULAR_COLOR_RUN:
      case REGULAR_COLOR_IMAGE:
        run = header & 0x1f;
        if (run === 0) {
          needSrc(2, "a run length");
          run = src[pos + 1]! + 32;
          advance = 2;
        }
        break;
      case LITE_SET_FG_FG_RUN:
      case LITE_DITHERED_RUN:
        run = header & 0x0f;
        if (run === 0) {
          needSrc(2, "a run length");
          run = src[pos + 1]! + 16;
          advance = 2;
        }
        break;
      case MEGA_MEGA_BG_RUN:
      case MEGA_MEGA_FG_RUN:
      case MEGA_MEGA_SET_FG_RUN:
      case MEGA_MEGA_DITHERED_RUN:
      case MEGA_MEGA_COLOR_RUN:
      case MEGA_MEGA_FGBG_IMAGE:
      case MEGA_MEGA_SET_FGBG_IMAGE:
      case MEGA_MEGA_COLOR_IMAGE:
        needSrc(3, "a run length");
        run = src[pos + 1]! | (src[pos + 2]! << 8);
        advance = 3;
        break;
      case SPECIAL_FGBG_1:
      case SPECIAL_FGBG_2:
      case SPECIAL_WHITE:
      case SPECIAL_BLACK:
        break;
      default:
        throw new RdpInputError("rle-bad-order", `interleaved RLE: unknown order 0x${header.toString(16)} at ${pos}`);
    }
    pos += advance;

    // Background runs: the pixel above (black on the first line); a background run right after another
    // starts with one foreground pixel (the encoder could not have split them otherwise).
    if (code === REGULAR_BG_RUN || code === MEGA_MEGA_BG_RUN) {
      needDest(run, "a background run");
      if (insertFgPel && run > 0) {
        out[dest] = firstLine ? fgPel : out[dest - width]! ^ fgPel;
        dest++;
        run--;
      }
      if (firstLine) {
        out.fill(0, dest, dest + run);
        dest += run;
      } else {
        for (const stop = dest + run; dest < stop; dest++) out[dest] = out[dest - width]!;
      }
      insertFgPel = true;
      continue;
    }
    insertFgPel = false;

    switch (code) {
      case REGULAR_FG_RUN:
      case MEGA_MEGA_FG_RUN:
      case LITE_SET_FG_FG_RUN:
      case MEGA_MEGA_SET_FG_RUN: {
        if (code === LITE_SET_FG_FG_RUN || code === MEGA_MEGA_SET_FG_RUN) fgPel = readPel();
        needDest(run, "a foreground run");
        if (firstLine) {
          out.fill(fgPel, dest, dest + run);
          dest += run;
        } else {
          for (const stop = dest + run; dest < stop; dest++) out[dest] = out[dest - width]! ^ fgPel;
        }
        break;
      }
      case LITE_DITHERED_RUN:
      case MEGA_MEGA_DITHERED_RUN: {
        const a = readPel();
        const b = readPel();
        needDest(run * 2, "a dithered run");
        for (let i = 0; i < run; i++) {
          out[dest++] = a;
          out[dest++] = b;
        }
        break;
      }
      case REGULAR_COLOR_RUN:
      case MEGA_MEGA_COLOR_RUN: {
        const a = readPel();
        needDest(run, "a colour run");
        out.fill(a, dest, dest + run);
        dest += run;
        break;
      }
      case REGULAR_FGBG_IMAGE:
      case MEGA_MEGA_FGBG_IMAGE:
      case LITE_SET_FG_FGBG_IMAGE:
      case MEGA_MEGA_SET_FGBG_IMAGE: {
        if (code === LITE_SET_FG_FGBG_IMAGE || code === MEGA_MEGA_SET_FGBG_IMAGE) fgPel = readPel();
        needSrc(Math.ceil(run / 8), "a foreground/background bitmask");
        while (run > 0) {
          const n = Math.min(8, run);
          fgbg(src[pos++]!, n);
          run -= n;
        }
        break;
      }
      case REGULAR_COLOR_IMAGE:
      case MEGA_MEGA_COLOR_IMAGE: {
        needSrc(run * pixelBytes, "a colour image");
        needDest(run, "a colour image");
        for (let i = 0; i < run; i++, pos += pixelBytes) out[dest++] = readPixel(src, pos, bpp);
        break;
      }
      case SPECIAL_FGBG_1:
        fgbg(MASK_SPECIAL_FGBG_1, 8);
        break;
      case SPECIAL_FGBG_2:
        fgbg(MASK_SPECIAL_FGBG_2, 8);
        break;
      case SPECIAL_WHITE:
        needDest(1, "a white pixel");
        out[dest++] = white;
        break;
      case SPECIAL_BLACK:
        needDest(1, "a black pixel");
        out[dest++] = 0;
        break;
    }
  }
}
