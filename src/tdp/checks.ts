// Rules on values (not bytes) that decoding, encoding and validateTile all apply.
import { LIMITS, MessageType, tileRect, type PNG2Frame, type PNGFrame } from "./messages.ts";

/** ByteReader, ByteWriter, or anything else that throws the right error type. */
export interface Failer {
  fail(reason: string, offset?: number): never;
}

/** Offset of `left` in a tile message: after the type byte, and after png_length for type 27. */
export function tileRectOffset(type: MessageType.PNGFrame | MessageType.PNG2Frame): number {
  return type === MessageType.PNG2Frame ? 5 : 1;
}

/** Offset of the PNG bytes in a tile message (type 2: 17-byte header, type 27: 21-byte header). */
export function tilePngOffset(type: MessageType.PNGFrame | MessageType.PNG2Frame): number {
  return type === MessageType.PNG2Frame ? 21 : 17;
}

export function checkScreenSize(io: Failer, width: number, height: number, offset: number): void {
  const max = LIMITS.maxScreen;
  if (width === 0 || height === 0 || width > max || height > max) {
    io.fail(`screen ${width}x${height} is outside 1x1..${max}x${max}`, offset);
  }
}

/** A tile must cover at least one pixel and no more than the largest screen. */
export function checkTileRect(io: Failer, m: PNGFrame | PNG2Frame): { width: number; height: number } {
  const r = tileRect(m);
  const width = r.right - r.left;
  const height = r.bottom - r.top;
  const offset = tileRectOffset(m.type);
  const edges = m.type === MessageType.PNG2Frame ? "inclusive" : "exclusive";
  if (width <= 0 || height <= 0) {
    io.fail(
      `tile rectangle is empty or inverted: left ${m.left} top ${m.top} right ${m.right} bottom ${m.bottom} (${edges})`,
      offset,
    );
  }
  const max = LIMITS.maxScreen;
  if (width > max || height > max) io.fail(`tile rectangle ${width}x${height} is larger than ${max}x${max}`, offset);
  return { width, height };
}
