// Test-side bridge from TDP bytes (captures, hand-made messages) to the typed picture messages the video
// path takes: decoded the way a session decodes them.
import { TdpCodecError } from "../../../src/tdp/errors.ts";
import type { PictureMessage } from "../../../src/tdp/messages.ts";
import { decodePicture } from "../../../src/tdp/picture.ts";
import type { TdpcapRecord } from "../../../src/tdp/tdpcap.ts";
import type { ApplyOutcome, Compositor } from "../../../src/video/compose/compositor.ts";

export interface PictureRecord {
  delayMs: number;
  message: PictureMessage;
}

/** The picture messages of a capture, in order (other messages left out, as a session does). */
export function pictureRecords(records: readonly TdpcapRecord[]): PictureRecord[] {
  const out: PictureRecord[] = [];
  for (const r of records) {
    const message = decodePicture(r.data);
    if (message) out.push({ delayMs: r.delayMs, message });
  }
  return out;
}

/** Bytes that must hold a picture message. */
export function picture(bytes: Uint8Array): PictureMessage {
  const message = decodePicture(bytes);
  if (!message) throw new Error(`TDP type ${bytes[0]} is not a picture message`);
  return message;
}

/** Decodes like a session, then applies: bad bytes are rejected, other message types ignored. */
export function applyWire(compositor: Compositor, bytes: Uint8Array): ApplyOutcome | { kind: "ignored" } {
  let message: PictureMessage | null;
  try {
    message = decodePicture(bytes);
  } catch (e) {
    if (e instanceof TdpCodecError) return { kind: "rejected", reason: e.message };
    throw e;
  }
  return message ? compositor.apply(message) : { kind: "ignored" };
}
