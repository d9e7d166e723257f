// The remote screen's pixels, kept in memory as RGBA (rows of `width` pixels): the picture that video
// frames, previews and thumbnails are made from, for every era (PNG tiles are decoded and pasted into it;
// an RDP decoder draws into its own buffer, which is then this one). No canvas: a message costs its decode
// and a copy, never a canvas draw or readback.

export class ScreenPixels {
  constructor(
    readonly width: number,
    readonly height: number,
    /** width*height*4 bytes, alpha 255 everywhere. */
    readonly rgba: Uint8Array,
  ) {}

  /** A black screen. */
  static black(width: number, height: number): ScreenPixels {
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
    return new ScreenPixels(width, height, rgba);
  }

  /**
   * Pastes a decoded picture of `width` × `height` at `left`,`top` (inside the screen): copied where it is
   * opaque, else blended over what is there ("source over", as a canvas draws it).
   */
  paste(left: number, top: number, width: number, height: number, rgba: Uint8Array, opaque: boolean): void {
    const out = this.rgba;
    const rowBytes = width * 4;
    for (let y = 0; y < height; y++) {
      const from = y * rowBytes;
      const at = ((top + y) * this.width + left) * 4;
      if (opaque) {
        out.set(rgba.subarray(from, from + rowBytes), at);
        continue;
      }
      for (let i = 0; i < rowBytes; i += 4) {
        const a = rgba[from + i + 3];
        if (a === 0) continue;
        const keep = 255 - a;
        for (let c = 0; c < 3; c++) out[at + i + c] = Math.round((rgba[from + i + c] * a + out[at + i + c] * keep) / 255);
      }
    }
  }
}
