// One desktop message, whatever its era (legacy TDP or TDPB), in the legacy message model that markers,
// audit, recording rules and the video side share. Decoding happens here once per message.
import { decodeMessage, encodeMessage, validateTile } from "./codec.ts";
import { MessageType, PICTURE_TYPES, RECORDED_TYPES, type TdpMessage } from "./messages.ts";
import { decodeTdpb, isTdpb } from "./tdpb/codec.ts";
import { toLegacy } from "./tdpb/legacy.ts";
import { TDPB_RECORDED_KINDS, type TdpbMessage } from "./tdpb/messages.ts";

export interface DesktopFrame {
  /** The bytes as they came (and as they are recorded). */
  raw: Uint8Array;
  /** The TDPB message, when the frame is TDPB. */
  tdpb: TdpbMessage | null;
  /** What it means in the legacy model: one message for legacy TDP; zero or more for TDPB. */
  messages: TdpMessage[];
  /** Whether a recording keeps it (RFD 47's legacy set; Teleport's TDPB set). */
  recorded: boolean;
}

/**
 * Decodes one frame of either era, PNG tiles checked against their rectangles. Throws a TdpCodecError
 * (TdpbDecodeError for TDPB) on bad input. Byte fields are views into `raw`.
 */
export function decodeFrame(raw: Uint8Array): DesktopFrame {
  if (isTdpb(raw)) {
    const tdpb = decodeTdpb(raw);
    const messages = toLegacy(tdpb);
    for (const m of messages) if (m.type === MessageType.PNGFrame || m.type === MessageType.PNG2Frame) validateTile(m);
    return { raw, tdpb, messages, recorded: TDPB_RECORDED_KINDS.has(tdpb.kind) };
  }
  const message = decodeMessage(raw);
  if (message.type === MessageType.PNGFrame || message.type === MessageType.PNG2Frame) validateTile(message);
  return { raw, tdpb: null, messages: [message], recorded: RECORDED_TYPES.has(message.type) };
}

/**
 * What the video side is given for a frame: legacy TDP bytes of its picture messages. A legacy frame is
 * passed on as it came; a TDPB frame's pictures (ServerHello → 31, FastPathPDU → 29, PNGFrame → a tile)
 * are written in the legacy form.
 */
export function picturePayloads(frame: DesktopFrame): Uint8Array[] {
  if (frame.tdpb === null) return PICTURE_TYPES.has(frame.raw[0] ?? 0) ? [frame.raw] : [];
  return frame.messages.filter((m) => PICTURE_TYPES.has(m.type)).map(encodeMessage);
}

/** The payload of a recorded desktop.recording event: its legacy Message or its TDPBMessage. */
export function recordedPayload(e: { message: Uint8Array | null; tdpbMessage: Uint8Array | null }): Uint8Array | null {
  return e.message ?? e.tdpbMessage;
}

/**
 * The pictures of a recorded payload for the video side. Legacy bytes pass as they are, without decoding
 * (the compositor checks them); TDPB is decoded and mapped (throws a TdpCodecError when it is bad).
 */
export function recordedPictures(payload: Uint8Array): Uint8Array[] {
  if (!isTdpb(payload)) return PICTURE_TYPES.has(payload[0] ?? 0) ? [payload] : [];
  return picturePayloads(decodeFrame(payload));
}
