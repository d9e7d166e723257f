import { TdpDecodeError } from "./errors.ts";
import { overLimit } from "./limits.ts";

// ignoreBOM keeps a leading U+FEFF in the string, so decode→encode stays byte-identical.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Bounds-checked big-endian cursor over one TDP message. The DataView is anchored at the view's
 * byteOffset, so messages that are views into a larger ArrayBuffer (WebSocket frames) read correctly.
 * Byte fields come back as subarray views: nothing is copied.
 */
export class ByteReader {
  pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    readonly messageType: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(reason: string, offset: number = this.pos): never {
    throw new TdpDecodeError(this.messageType, offset, reason);
  }

  /** Advances past `n` bytes and returns where they start. */
  private take(n: number, field: string): number {
    const at = this.pos;
    const left = this.buf.length - at;
    if (left < n) this.fail(`truncated: ${field} needs ${n} byte(s), ${left} left`);
    this.pos = at + n;
    return at;
  }

  u8(field: string): number {
    return this.view.getUint8(this.take(1, field));
  }

  /** A u8 that must be one of 0..max (an enum on the TypeScript side). */
  u8Enum(field: string, max: number): number {
    const at = this.pos;
    const value = this.u8(field);
    if (value > max) this.fail(`${field} ${value} is not one of 0..${max}`, at);
    return value;
  }

  u16(field: string): number {
    return this.view.getUint16(this.take(2, field));
  }

  i16(field: string): number {
    return this.view.getInt16(this.take(2, field));
  }

  u32(field: string): number {
    return this.view.getUint32(this.take(4, field));
  }

  u64(field: string): bigint {
    return this.view.getBigUint64(this.take(8, field));
  }

  bytes(n: number, field: string): Uint8Array {
    const at = this.take(n, field);
    return this.buf.subarray(at, at + n);
  }

  /** Checks a length read at `at` against its cap before anything relies on it. */
  checkLength(field: string, length: number, max: number, at: number): void {
    if (length > max) this.fail(overLimit(field, length, max), at);
  }

  /** `u32 length | bytes`; the cap is checked before the bounds, so a huge length reads as too big, not truncated. */
  sized(field: string, max: number): Uint8Array {
    const at = this.pos;
    const length = this.u32(`${field}_length`);
    this.checkLength(field, length, max, at);
    return this.bytes(length, field);
  }

  /** `u32 byte_length | UTF-8`, strictly decoded. */
  string(field: string, max: number): string {
    const raw = this.sized(field, max);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail(`${field} is not valid UTF-8`, this.pos - raw.length);
    }
  }

  /** Everything up to the end of the message. */
  rest(): Uint8Array {
    const at = this.pos;
    this.pos = this.buf.length;
    return this.buf.subarray(at);
  }

  /** One WebSocket frame = one message: bytes left over mean the frame disagrees with the layout. */
  end(): void {
    const extra = this.buf.length - this.pos;
    if (extra !== 0) {
      this.fail(`${extra} trailing byte(s) after the layout (expected ${this.pos} bytes, frame has ${this.buf.length})`);
    }
  }
}
