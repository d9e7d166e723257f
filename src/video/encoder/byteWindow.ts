// A growable run of bytes standing for file offsets [start, end): what we know of the tail of a file
// being written, without keeping the whole file.

export class ByteWindow {
  private buf = new Uint8Array(16 * 1024);
  private length = 0;
  private origin: number;

  constructor(start = 0) {
    this.origin = start;
  }

  get start(): number {
    return this.origin;
  }

  get end(): number {
    return this.origin + this.length;
  }

  reset(start: number): void {
    this.origin = start;
    this.length = 0;
  }

  /** Writes `data` at file offset `pos` (>= start); a gap past the end is zero-filled. */
  write(pos: number, data: Uint8Array): void {
    if (pos < this.origin) throw new RangeError(`write at ${pos} before the window start ${this.origin}`);
    const at = pos - this.origin;
    const needed = at + data.length;
    if (needed > this.buf.length) {
      const grown = new Uint8Array(Math.max(needed, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    if (at > this.length) this.buf.fill(0, this.length, at);
    this.buf.set(data, at);
    this.length = Math.max(this.length, needed);
  }

  /** A view of [pos, pos + n); the caller must copy it before the next write. */
  view(pos: number, n: number): Uint8Array {
    if (pos < this.origin || pos + n > this.end) throw new RangeError(`read ${pos}+${n} outside [${this.origin}, ${this.end})`);
    return this.buf.subarray(pos - this.origin, pos - this.origin + n);
  }

  /** Forgets everything before `pos`. */
  dropBefore(pos: number): void {
    const drop = Math.min(Math.max(0, pos - this.origin), this.length);
    if (drop === 0) return;
    this.buf.copyWithin(0, drop, this.length);
    this.length -= drop;
    this.origin += drop;
  }
}
