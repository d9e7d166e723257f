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

// Coefficient bands of a decoded component, in storage order HL1 LH1 HH1 HL2 LH2 HH2 HL3 LH3 HH3 LL3: where each
// starts (plus the end) and its index in QuantValues. Flat typed arrays: this runs three times per tile.
const BAND_START = new Int32Array([0, 1024, 2048, 3072, 3328, 3584, 3840, 3904, 3968, 4032, 4096]);
const BAND_QUANT = new Uint8Array([8, 7, 9, 5, 4, 6, 2, 1, 3, 0]);

export interface TileComponent {
  offset: number;
  length: number;
  quant: QuantValues;
}

export class TileDecoder {
  private readonly planes = [new Int16Array(4096), new Int16Array(4096), new Int16Array(4096)] as const;
  private readonly tmp = new Int16Array(4096);
  /** Per-coefficient dequantisation shifts of the quantisation sets seen lately, by their packed nibbles. */
  private readonly shiftTables = new Map<number, Uint8Array>();

  /** Decodes Y, Cb and Cr of one tile from `src`; throws RdpInputError on bad data. `draw` then shows it. */
  decode(mode: number, src: Uint8Array, components: readonly [TileComponent, TileComponent, TileComponent]): void {
    for (let c = 0; c < 3; c++) this.decodeComponent(mode, src, components[c]!, this.planes[c]!, c);
  }

  /**
   * Writes the part [`left`, `right`) × [`top`, `bottom`) (tile coordinates) of the last decoded tile as RGBA
   * words into `out`, whose row length is `stride` words and where the tile's top-left pixel is `out[at]`.
   */
  draw(out: Uint32Array, at: number, stride: number, left: number, top: number, right: number, bottom: number): void {
    ycbcrToRgba(this.planes[0], this.planes[1], this.planes[2], out, at, stride, left, top, right, bottom);
  }

  private decodeComponent(mode: number, src: Uint8Array, comp: TileComponent, out: Int16Array, index: number): void {
    const status = rlgrDecode(mode, src, comp.offset, comp.length, out, this.shiftsFor(comp.quant));
    if (status === RlgrStatus.Overrun) {
      throw new RdpInputError("rlgr-overrun", `RemoteFX tile component ${index}: RLGR data (${comp.length} bytes) ends before its 4096 coefficients`);
    }
    if (status === RlgrStatus.Invalid) {
      throw new RdpInputError("rlgr-invalid", `RemoteFX tile component ${index}: RLGR value out of range`);
    }
    // LL3 is coded as differences. The values are already dequantised: all of it is arithmetic modulo 2^16 and
    // LL3 has one shift, so summing the shifted values equals shifting the sums, as the reference does.
    for (let i = 4033; i < 4096; i++) out[i] = out[i]! + out[i - 1]!;
    inverseDwt(out, this.tmp);
  }

  /** Dequantisation as a shift per coefficient: each band left by (quant − 1), none for quant 0 or 1. */
  private shiftsFor(quant: QuantValues): Uint8Array {
    let key = 0;
    for (let i = 0; i < 10; i++) key = key * 16 + (quant[i]! & 0xf);
    let table = this.shiftTables.get(key);
    if (table) return table;
    table = new Uint8Array(4096);
    for (let band = 0; band < 10; band++) {
      const shift = quant[BAND_QUANT[band]!]! - 1;
      if (shift > 0) table.fill(shift, BAND_START[band]!, BAND_START[band + 1]!);
    }
    if (this.shiftTables.size >= 64) this.shiftTables.clear(); // bounded, whatever the stream sends
    this.shiftTables.set(key, table);
    return table;
  }
}
