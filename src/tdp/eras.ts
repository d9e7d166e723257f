// One desktop message, whatever its era (legacy TDP or TDPB), in the legacy message model that markers,
// audit, recording rules and the video side share. Decoding happens here once per message.
import { decodeMessage, validateTile } from "./codec.ts";
import { isPictureMessage, MessageType, type PictureMessage, RECORDED_TYPES, type TdpMessage } from "./messages.ts";
import { decodePicture } from "./picture.ts";
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

/** The picture messages of a frame, for the video side: TDPB ones already in the legacy model (31, 29, tiles). */
export function framePictures(frame: DesktopFrame): PictureMessage[] {
  return frame.messages.filter(isPictureMessage);
}

/** The payload of a recorded desktop.recording event: its legacy Message or its TDPBMessage. */
export function recordedPayload(e: { message: Uint8Array | null; tdpbMessage: Uint8Array | null }): Uint8Array | null {
  return e.message ?? e.tdpbMessage;
}

/**
 * The picture messages of a recorded payload: legacy bytes are decoded only when their type byte is a
 * picture's; TDPB is decoded and mapped. Throws a TdpCodecError when the payload is malformed.
 */
export function recordedPictures(payload: Uint8Array): PictureMessage[] {
  if (!isTdpb(payload)) {
    const picture = decodePicture(payload);
    return picture ? [picture] : [];
  }
  return framePictures(decodeFrame(payload));
}
