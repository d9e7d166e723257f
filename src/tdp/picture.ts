// The picture messages among TDP bytes: what a recording's video is drawn from.
import { decodeMessage } from "./decode.ts";
import { isPictureMessage, PICTURE_TYPES, type PictureMessage } from "./messages.ts";

/** The picture message in `bytes`, or null for any other type. Throws TdpCodecError when malformed. */
export function decodePicture(bytes: Uint8Array): PictureMessage | null {
  if (bytes.length === 0 || !PICTURE_TYPES.has(bytes[0])) return null;
  const message = decodeMessage(bytes);
  return isPictureMessage(message) ? message : null;
}
