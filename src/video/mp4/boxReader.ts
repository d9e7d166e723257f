// Reading ISO-BMFF boxes out of bytes: headers, children, and a big-endian cursor for box bodies.

export interface BoxHeader {
  type: string;
  /** Offset of the box's first byte (its size field). */
  start: number;
  headerSize: number;
  /** Offset just past the box; a size-0 box (runs to the end of the file) ends at `limit`. */
  end: number;
}

const textDecoder = new TextDecoder("latin1");

/** The header of the box at `at`, or null when fewer than a whole header's bytes remain before `limit`. */
export function readBoxHeader(bytes: Uint8Array, at: number, limit = bytes.length, fileOffset = 0): BoxHeader | null {
  if (at + 8 > limit) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let size = view.getUint32(at);
  const type = textDecoder.decode(bytes.subarray(at + 4, at + 8));
  let headerSize = 8;
  if (size === 1) {
    if (at + 16 > limit) return null;
    size = view.getUint32(at + 8) * 0x100000000 + view.getUint32(at + 12);
    headerSize = 16;
  } else if (size === 0) {
    size = limit - at;
  }
  return { type, start: fileOffset + at, headerSize, end: fileOffset + at + size };
}

/** True for a four-character code made of printable ASCII (a crash can leave zeros or garbage). */
export function isPlausibleBoxType(type: string): boolean {
  return /^[\x20-\x7e]{4}$/.test(type) && type !== "    ";
}

/** The direct children of the box body [start, end) within `bytes`. Stops at a malformed child. */
export function childBoxes(bytes: Uint8Array, start: number, end: number): BoxHeader[] {
  const children: BoxHeader[] = [];
  let at = start;
  while (at < end) {
    const header = readBoxHeader(bytes, at, end);
    if (!header || header.end > end || header.end - header.start < header.headerSize) break;
    children.push(header);
    at = header.end;
  }
  return children;
}

/** The first child of type `type`, following a path like ["trak", "mdia", "mdhd"]. */
export function findBox(bytes: Uint8Array, path: string[], start = 0, end = bytes.length): BoxHeader | null {
  let scope: { start: number; end: number } = { start, end };
  let found: BoxHeader | null = null;
  for (const type of path) {
    found = childBoxes(bytes, scope.start, scope.end).find((box) => box.type === type) ?? null;
    if (!found) return null;
    scope = { start: found.start + found.headerSize, end: found.end };
  }
  return found;
}

export function findBoxes(bytes: Uint8Array, type: string, start: number, end: number): BoxHeader[] {
  return childBoxes(bytes, start, end).filter((box) => box.type === type);
}

/** A bounds-checked big-endian reader over one box body. */
export class BoxCursor {
  private readonly view: DataView;
  at: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = start;
  }

  private take(count: number): number {
    if (this.at + count > this.end) throw new Error(`${this.what}: box truncated`);
    const at = this.at;
    this.at += count;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }

  u16(): number {
    return this.view.getUint16(this.take(2));
  }

  u24(): number {
    const at = this.take(3);
    return (this.view.getUint8(at) << 16) | this.view.getUint16(at + 1);
  }

  u32(): number {
    return this.view.getUint32(this.take(4));
  }

  i32(): number {
    return this.view.getInt32(this.take(4));
  }

  u64(): number {
    const at = this.take(8);
    return this.view.getUint32(at) * 0x100000000 + this.view.getUint32(at + 4);
  }

  skip(count: number): void {
    this.take(count);
  }

  /** Version and flags of a full box. */
  fullBoxHeader(): { version: number; flags: number } {
    return { version: this.u8(), flags: this.u24() };
  }

  rest(): Uint8Array {
    return this.bytes.subarray(this.take(0), this.end);
  }
}

export function cursorFor(bytes: Uint8Array, box: BoxHeader, baseOffset = 0): BoxCursor {
  return new BoxCursor(bytes, box.start - baseOffset + box.headerSize, box.end - baseOffset, box.type);
}
