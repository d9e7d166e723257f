// One RemoteFX tile: three RLGR-coded components → differential LL3 → dequantisation → inverse DWT → RGBA.
// All working memory is allocated once per decoder (TileDecoder) and reused for every tile.
import { RdpInputError } from "../errors";
import { ycbcrToRgba } from "./color";
import { inverseDwt } from "./dwt";
import { RlgrStatus, rlgrDecode } from "./rlgr";

/**
 * A quantisation set in the reference decoders' order: LL3 LH3 HL3 HH3 LH2 HL2 HH2 LH1 HL1 HH1
 * (the order of the nibbles in TS_RFX_CODEC_QUANT).
 */
export type QuantValues = Uint8Array;

// Coefficient bands of a decoded component: [offset, length, index in QuantValues].
const BANDS: readonly (readonly [number, number, number])[] = [
  [0, 1024, 8], // HL1
  [1024, 1024, 7], // LH1
  [2048, 1024, 9], // HH1
  [3072, 256, 5], // HL2
  [3328, 256, 4], // LH2
  [3584, 256, 6], // HH2
  [3840, 64, 2], // HL3
  [3904, 64, 1], // LH3
  [3968, 64, 3], // HH3
  [4032, 64, 0], // LL3
];

export interface TileComponent {
  offset: number;
  length: number;
  quant: QuantValues;
}

export class TileDecoder {
  private readonly planes = [new Int16Array(4096), new Int16Array(4096), new Int16Array(4096)] as const;
  private readonly tmp = new Int16Array(4096);
  /** The last decoded tile, 64×64 RGBA top-down. */
  readonly rgba = new Uint8Array(64 * 64 * 4);
  /** The same pixels as 32-bit words, for copying. */
  readonly rgba32 = new Uint32Array(this.rgba.buffer);

  /** Decodes Y, Cb and Cr of one tile from `src` into `this.rgba`; throws RdpInputError on bad data. */
  decode(mode: number, src: Uint8Array, components: readonly [TileComponent, TileComponent, TileComponent]): void {
    for (let c = 0; c < 3; c++) this.decodeComponent(mode, src, components[c]!, this.planes[c]!, c);
    ycbcrToRgba(this.planes[0], this.planes[1], this.planes[2], this.rgba);
  }

  private decodeComponent(mode: number, src: Uint8Array, comp: TileComponent, out: Int16Array, index: number): void {
    const status = rlgrDecode(mode, src, comp.offset, comp.length, out);
    if (status === RlgrStatus.Overrun) {
      throw new RdpInputError("rlgr-overrun", `RemoteFX tile component ${index}: RLGR data (${comp.length} bytes) ends before its 4096 coefficients`);
    }
    if (status === RlgrStatus.Invalid) {
      throw new RdpInputError("rlgr-invalid", `RemoteFX tile component ${index}: RLGR value out of range`);
    }
    // LL3 is coded as differences.
    for (let i = 4033; i < 4096; i++) out[i] = out[i]! + out[i - 1]!;
    // Dequantise: shift each band left by (quant - 1), 16-bit like the reference.
    for (const [start, len, qi] of BANDS) {
      const shift = comp.quant[qi]! - 1;
      if (shift <= 0) continue;
      for (let i = start, end = start + len; i < end; i++) out[i] = out[i]! << shift;
    }
    inverseDwt(out, this.tmp);
  }
}
