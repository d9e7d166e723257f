import { TdpDecodeError, TdpEncodeError } from "../errors.ts";
import { wireName } from "./proto.ts";

/**
 * Bytes that are not a valid TDPB message. A subclass of the legacy TdpDecodeError, so callers that
 * answer bad legacy TDP (alert, count, skip) answer bad TDPB the same way. `offset` is inside the
 * message (the length header is bytes 0–3, the Envelope starts at 4); `payload` names the Envelope
 * member at fault, when it is known.
 */
export class TdpbDecodeError extends TdpDecodeError {
  constructor(
    readonly payload: string | null,
    offset: number,
    reason: string,
  ) {
    super(0, offset, reason);
    this.message = describe(payload, offset, reason);
  }
}

/** A TDPB message object that would produce bytes decodeTdpb rejects. */
export class TdpbEncodeError extends TdpEncodeError {
  constructor(
    readonly payload: string | null,
    reason: string,
  ) {
    super(0, 0, reason);
    this.message = describe(payload, null, reason);
  }
}

function describe(payload: string | null, offset: number | null, reason: string): string {
  const what = payload === null ? "TDPB message" : `TDPB ${wireName(payload)}`;
  return offset === null ? `${what}: ${reason}` : `${what} at offset ${offset}: ${reason}`;
}
