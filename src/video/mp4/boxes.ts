// A tiny ISO-BMFF box builder: a growable big-endian byte buffer whose `box()` patches each box's size
// once its body is written, so callers write boxes as nested blocks in file order.

const textEncoder = new TextEncoder();

export class BoxWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialCapacity = 1024) {
    this.buffer = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buffer.buffer);
  }

  get size(): number {
    return this.length;
  }

  private reserve(bytes: number): number {
    const at = this.length;
    const needed = at + bytes;
    if (needed > this.buffer.length) {
      let capacity = this.buffer.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = needed;
    return at;
  }

  u8(value: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, value);
    return this;
  }

  u16(value: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, value);
    return this;
  }

  u24(value: number): this {
    const at = this.reserve(3);
    this.view.setUint8(at, (value >>> 16) & 0xff);
    this.view.setUint16(at + 1, value & 0xffff);
    return this;
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`u32 out of range: ${value}`);
    }
    const at = this.reserve(4);
    this.view.setUint32(at, value);
    return this;
  }

  i32(value: number): this {
    const at = this.reserve(4);
    this.view.setInt32(at, value);
    return this;
  }

  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`u64 out of range: ${value}`);
    const at = this.reserve(8);
    this.view.setUint32(at, Math.floor(value / 0x100000000));
    this.view.setUint32(at + 4, value % 0x100000000);
    return this;
  }

  /** Signed 64-bit (edit list media_time of -1 in version 1 elst). */
  i64(value: number): this {
    const at = this.reserve(8);
    this.view.setBigInt64(at, BigInt(value));
    return this;
  }

  /** 16.16 fixed point. */
  fixed16(value: number): this {
    return this.u32(Math.round(value * 0x10000) >>> 0);
  }

  zeros(count: number): this {
    this.reserve(count); // fresh capacity is zero-filled, and reserve only hands out untouched bytes
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.reserve(data.length); // may replace this.buffer, so reserve before touching it
    this.buffer.set(data, at);
    return this;
  }

  fourcc(code: string): this {
    if (code.length !== 4) throw new Error(`fourcc must be 4 characters: "${code}"`);
    return this.bytes(textEncoder.encode(code));
  }

  /** NUL-terminated UTF-8 (hdlr name). */
  cstring(text: string): this {
    return this.bytes(textEncoder.encode(text)).u8(0);
  }

  /** Writes a box: 32-bit size (patched after `body`), type, then whatever `body` writes. */
  box(type: string, body?: (w: this) => void): this {
    const start = this.reserve(4);
    this.fourcc(type);
    body?.(this);
    this.view.setUint32(start, this.length - start);
    return this;
  }

  /** A full box: box header, then version (8 bits) and flags (24 bits). */
  fullBox(type: string, version: number, flags: number, body?: (w: this) => void): this {
    return this.box(type, (w) => {
      w.u8(version).u24(flags);
      body?.(w);
    });
  }

  /** Overwrites a u32 written earlier (e.g. trun data_offset once the moof size is known). */
  patchU32(at: number, value: number): void {
    this.view.setUint32(at, value);
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** An mdat header for `payloadBytes` of data: a 32-bit size when it fits, else the 64-bit largesize form. */
export function mdatHeader(payloadBytes: number): Uint8Array {
  const w = new BoxWriter(16);
  if (payloadBytes + 8 <= 0xffffffff) {
    w.u32(payloadBytes + 8).fourcc("mdat");
  } else {
    w.u32(1).fourcc("mdat").u64(payloadBytes + 16);
  }
  return w.toBytes();
}
