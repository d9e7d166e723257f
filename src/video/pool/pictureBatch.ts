// Picture messages of one session, packed for the trip to its worker: the session has decoded them
// already, so the worker gets typed values (no TDP parsing there), and the payloads travel in one
// transferable buffer instead of one structured clone per message.
import { MessageType, type PictureMessage } from "../../tdp/messages.ts";

/** Numbers per message in `fields`: the type, then up to four values (rectangle, size, channels...). */
const FIELDS = 5;

/** Messages for one session packed into transferable arrays. */
export interface PictureBatch {
  /** Session time of each message (ms). */
  times: Float64Array;
  /** FIELDS numbers per message: type and its values. */
  fields: Int32Array;
  /** offsets[i]..offsets[i+1] is message i's payload (PNG, PDU) inside `bytes`. */
  offsets: Uint32Array;
  bytes: Uint8Array;
  /** Index of the first message in the session (for problem reports). */
  firstIndex: number;
  /** Newest session time pushed so far, for the worker's backlog estimate. */
  newestMs: number;
}

/** Bytes a message weighs in the backlog: its payload plus a little for the rest. */
export function pictureWeight(message: PictureMessage): number {
  return 16 + (payloadOf(message)?.length ?? 0);
}

function payloadOf(message: PictureMessage): Uint8Array | null {
  switch (message.type) {
    case MessageType.PNGFrame:
    case MessageType.PNG2Frame:
      return message.png;
    case MessageType.RDPFastPathPDU:
      return message.data;
    default:
      return null;
  }
}

/** The message with its payload copied out of whatever buffer it was a view into. */
export function ownPayload(message: PictureMessage): PictureMessage {
  switch (message.type) {
    case MessageType.PNGFrame:
    case MessageType.PNG2Frame:
      return { ...message, png: message.png.slice() };
    case MessageType.RDPFastPathPDU:
      return { ...message, data: message.data.slice() };
    default:
      return message;
  }
}

function valuesOf(message: PictureMessage): [number, number, number, number] {
  switch (message.type) {
    case MessageType.ClientScreenSpec:
      return [message.width, message.height, 0, 0];
    case MessageType.PNGFrame:
    case MessageType.PNG2Frame:
      return [message.left, message.top, message.right, message.bottom];
    case MessageType.RDPConnectionActivated:
      return [message.ioChannelId, message.userChannelId, message.width, message.height];
    case MessageType.RDPFastPathPDU:
      return [0, 0, 0, 0];
  }
}

export function packPictures(messages: readonly PictureMessage[], times: readonly number[], firstIndex: number, newestMs: number): PictureBatch {
  const fields = new Int32Array(messages.length * FIELDS);
  const offsets = new Uint32Array(messages.length + 1);
  let total = 0;
  for (const m of messages) total += payloadOf(m)?.length ?? 0;
  const bytes = new Uint8Array(total);
  let at = 0;
  messages.forEach((m, i) => {
    fields[i * FIELDS] = m.type;
    fields.set(valuesOf(m), i * FIELDS + 1);
    offsets[i] = at;
    const payload = payloadOf(m);
    if (payload) {
      bytes.set(payload, at);
      at += payload.length;
    }
  });
  offsets[messages.length] = at;
  return { times: Float64Array.from(times), fields, offsets, bytes, firstIndex, newestMs };
}

export function batchLength(batch: PictureBatch): number {
  return batch.times.length;
}

/** Message i of the batch (payloads are views into the batch's buffer). */
export function pictureAt(batch: PictureBatch, i: number): PictureMessage {
  const f = batch.fields.subarray(i * FIELDS, i * FIELDS + FIELDS);
  const payload = batch.bytes.subarray(batch.offsets[i], batch.offsets[i + 1]);
  const type = f[0];
  switch (type) {
    case MessageType.ClientScreenSpec:
      return { type, width: f[1], height: f[2] };
    case MessageType.PNGFrame:
    case MessageType.PNG2Frame:
      return { type, left: f[1], top: f[2], right: f[3], bottom: f[4], png: payload };
    case MessageType.RDPConnectionActivated:
      return { type, ioChannelId: f[1], userChannelId: f[2], width: f[3], height: f[4] };
    case MessageType.RDPFastPathPDU:
      return { type, data: payload };
    default:
      throw new TypeError(`picture batch holds message type ${type}, which is not a picture`);
  }
}

/** The checks that turn an `unknown` event payload back into a batch. */
export function parsePictureBatch(b: Record<string, unknown>): PictureBatch {
  const { times, fields, offsets, bytes, firstIndex, newestMs } = b;
  if (!(times instanceof Float64Array) || !(fields instanceof Int32Array) || !(offsets instanceof Uint32Array) || !(bytes instanceof Uint8Array)) {
    throw new TypeError("batch arrays have the wrong types");
  }
  if (offsets.length !== times.length + 1 || fields.length !== times.length * FIELDS) throw new TypeError("batch arrays do not match its times");
  if (offsets[times.length] > bytes.length) throw new TypeError("batch offsets run past its bytes");
  if (typeof firstIndex !== "number" || typeof newestMs !== "number") throw new TypeError("batch index or time is not a number");
  return { times, fields, offsets, bytes, firstIndex, newestMs };
}

export function transferablesOf(batch: PictureBatch): Transferable[] {
  return [batch.times.buffer, batch.fields.buffer, batch.offsets.buffer, batch.bytes.buffer] as Transferable[];
}
