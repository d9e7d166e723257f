import { TdpEncodeError } from "./errors.ts";
import { overLimit } from "./limits.ts";

const utf8 = new TextEncoder();
const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/**
 * Big-endian writer for one TDP message. Every write checks its value, so anything it produces
 * decodes again. Give an exact `sizeHint` on hot paths (PNG tiles) to avoid growing and trimming.
 */
export class ByteWriter {
  pos = 0;
  private buf: Uint8Array;
  private view: DataView;

  constructor(
    readonly messageType: number,
    sizeHint = 64,
  ) {
    this.buf = new Uint8Array(sizeHint);
    this.view = new DataView(this.buf.buffer);
  }

  fail(reason: string, offset: number = this.pos): never {
    throw new TdpEncodeError(this.messageType, offset, reason);
  }

  /** Reserves `n` bytes and returns where they start. Call it before reading buf/view: it may replace both. */
  private room(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      grown.set(this.buf);
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    this.pos = at + n;
    return at;
  }

  private checkInt(value: number, field: string, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.fail(`${field} ${String(value)} is not an integer in ${min}..${max}`);
    }
  }

  u8(value: number, field: string): this {
    this.checkInt(value, field, 0, 0xff);
    const at = this.room(1);
    this.view.setUint8(at, value);
    return this;
  }

  /** A u8 that must be one of 0..max (an enum on the TypeScript side). */
  u8Enum(value: number, field: string, max: number): this {
    this.checkInt(value, field, 0, max);
    return this.u8(value, field);
  }

  u16(value: number, field: string): this {
    this.checkInt(value, field, 0, 0xffff);
    const at = this.room(2);
    this.view.setUint16(at, value);
    return this;
  }

  i16(value: number, field: string): this {
    this.checkInt(value, field, -0x8000, 0x7fff);
    const at = this.room(2);
    this.view.setInt16(at, value);
    return this;
  }

  u32(value: number, field: string): this {
    this.checkInt(value, field, 0, 0xffff_ffff);
    const at = this.room(4);
    this.view.setUint32(at, value);
    return this;
  }

  u64(value: bigint, field: string): this {
    if (typeof value !== "bigint" || value < 0n || value > MAX_U64) {
      this.fail(`${field} ${String(value)} is not a bigint in 0..2^64-1`);
    }
    const at = this.room(8);
    this.view.setBigUint64(at, value);
    return this;
  }

  /** Raw bytes with no length prefix; `length` (when given) is what they must measure. */
  raw(bytes: Uint8Array, field: string, length?: number): this {
    if (!(bytes instanceof Uint8Array)) this.fail(`${field} is not a Uint8Array`);
    if (length !== undefined && bytes.length !== length) this.fail(`${field} is ${bytes.length} bytes, must be ${length}`);
    const at = this.room(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  /** Fails unless a payload of `length` bytes fits under `max`. */
  checkLength(field: string, length: number, max: number): void {
    if (length > max) this.fail(overLimit(field, length, max));
  }

  /** `u32 length | bytes`. */
  sized(bytes: Uint8Array, field: string, max: number): this {
    if (!(bytes instanceof Uint8Array)) this.fail(`${field} is not a Uint8Array`);
    this.checkLength(field, bytes.length, max);
    return this.u32(bytes.length, `${field}_length`).raw(bytes, field);
  }

  /** `u32 byte_length | UTF-8`. Lone surrogates are refused: they would not survive the round trip. */
  string(value: string, field: string, max: number): this {
    if (typeof value !== "string") this.fail(`${field} is not a string`);
    if (!value.isWellFormed()) this.fail(`${field} is not well-formed Unicode (lone surrogate)`);
    return this.sized(utf8.encode(value), field, max);
  }

  finish(): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.slice(0, this.pos);
  }
}
