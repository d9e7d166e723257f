// Teleport drops a desktop frame whose record would exceed 64 KiB, leaving a hole in the picture
// for the rest of the playback. Instead we cut such a PNG tile into smaller tiles (halving the
// longer side until each message fits) and record those: the screen still composes exactly.
import { createCanvas, loadImage, type Image } from "@napi-rs/canvas";
import { decodeMessage, encodeMessage } from "../tdp/codec.ts";
import { MessageType, type PNG2Frame, type PNGFrame, tileRect } from "../tdp/messages.ts";
import { decodeTdpb, encodeTdpb, isTdpb } from "../tdp/tdpb/codec.ts";
import { toLegacy } from "../tdp/tdpb/legacy.ts";

/**
 * Splitting decodes the whole tile (up to 64 MiB of RGBA at the largest screen): at most two at once in
 * the process, so a burst of big tiles from many sessions waits instead of decoding all at once.
 */
const MAX_CONCURRENT_SPLITS = 2;
let splitting = 0;
const splitQueue: Array<() => void> = [];

async function withSplitSlot<T>(work: () => Promise<T>): Promise<T> {
  // A finishing split hands its slot straight to the next waiter, so the count never goes over.
  if (splitting >= MAX_CONCURRENT_SPLITS) await new Promise<void>((resolve) => splitQueue.push(resolve));
  else splitting++;
  try {
    return await work();
  } finally {
    const next = splitQueue.shift();
    if (next) next();
    else splitting--;
  }
}

interface Area {
  x: number; // relative to the tile
  y: number;
  width: number;
  height: number;
}

/** The tile message (legacy or TDPB) as one or more tile messages of the same kind, each at most `maxBytes` long. */
export async function splitTileMessage(raw: Uint8Array, maxBytes: number): Promise<Uint8Array[]> {
  if (isTdpb(raw)) return splitTdpbTile(raw, maxBytes);
  const message = decodeMessage(raw);
  if (message.type !== MessageType.PNGFrame && message.type !== MessageType.PNG2Frame) {
    throw new Error(`a ${raw.length}-byte TDP message of type ${message.type} is not a PNG tile and cannot be split`);
  }
  if (raw.length <= maxBytes) return [raw];
  return withSplitSlot(() => splitTile(message, maxBytes));
}

async function splitTile(message: PNGFrame | PNG2Frame, maxBytes: number): Promise<Uint8Array[]> {
  const rect = tileRect(message);
  const image = await loadImage(Buffer.from(message.png.buffer, message.png.byteOffset, message.png.byteLength));
  const pieces: Uint8Array[] = [];
  const whole: Area = { x: 0, y: 0, width: rect.right - rect.left, height: rect.bottom - rect.top };
  // The whole tile is known to be too big: start from its halves.
  for (const half of halves(whole)) await splitInto(pieces, image, message, half, maxBytes);
  return pieces;
}

/** A TDPB PNGFrame: split as its legacy tile, each piece wrapped back into a PNGFrame (inclusive edges). */
async function splitTdpbTile(raw: Uint8Array, maxBytes: number): Promise<Uint8Array[]> {
  const message = decodeTdpb(raw);
  const [tile] = toLegacy(message);
  if (message.kind !== "pngFrame" || (tile?.type !== MessageType.PNGFrame && tile?.type !== MessageType.PNG2Frame)) {
    throw new Error(`a ${raw.length}-byte TDPB ${message.kind} is not a PNG tile and cannot be split`);
  }
  if (raw.length <= maxBytes) return [raw];
  // The Envelope around a tile costs at most 32 bytes more than the legacy 21-byte header.
  const pieces = await splitTileMessage(encodeMessage({ ...tile, type: MessageType.PNG2Frame, right: tileRect(tile).right - 1, bottom: tileRect(tile).bottom - 1 }), maxBytes - 32);
  return pieces.map((bytes) => {
    const piece = decodeMessage(bytes) as PNG2Frame;
    return encodeTdpb({ kind: "pngFrame", coordinates: { left: piece.left, top: piece.top, right: piece.right, bottom: piece.bottom }, data: piece.png });
  });
}

function halves(a: Area): [Area, Area] {
  if (a.width >= a.height) {
    const left = Math.ceil(a.width / 2);
    return [
      { ...a, width: left },
      { ...a, x: a.x + left, width: a.width - left },
    ];
  }
  const top = Math.ceil(a.height / 2);
  return [
    { ...a, height: top },
    { ...a, y: a.y + top, height: a.height - top },
  ];
}

async function splitInto(out: Uint8Array[], image: Image, tile: PNGFrame | PNG2Frame, area: Area, maxBytes: number): Promise<void> {
  const bytes = await encodeArea(image, tile, area);
  if (bytes.length <= maxBytes) {
    out.push(bytes);
    return;
  }
  if (area.width === 1 && area.height === 1) {
    throw new Error(`a single pixel does not fit in ${maxBytes} bytes`);
  }
  for (const half of halves(area)) await splitInto(out, image, tile, half, maxBytes);
}

async function encodeArea(image: Image, tile: PNGFrame | PNG2Frame, area: Area): Promise<Uint8Array> {
  const canvas = createCanvas(area.width, area.height);
  canvas.getContext("2d").drawImage(image, area.x, area.y, area.width, area.height, 0, 0, area.width, area.height);
  const png = new Uint8Array(await canvas.encode("png"));
  const left = tileRect(tile).left + area.x;
  const top = tileRect(tile).top + area.y;
  // Type 2 carries exclusive right/bottom edges, type 27 inclusive ones.
  const inclusive = tile.type === MessageType.PNG2Frame ? 1 : 0;
  return encodeMessage({
    type: tile.type,
    left,
    top,
    right: left + area.width - inclusive,
    bottom: top + area.height - inclusive,
    png,
  });
}
