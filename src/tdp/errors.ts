import { isMessageType, messageTypeName } from "./names.ts";

/**
 * A TDP message that cannot be read or written. `offset` is the byte offset inside the message
 * (type byte = 0) of the field at fault; `messageType` is null only when there was no type byte.
 */
export class TdpCodecError extends Error {
  constructor(
    readonly messageType: number | null,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${describeType(messageType)} at offset ${offset}: ${reason}`);
    this.name = new.target.name;
  }
}

/** Bytes that are not a valid legacy TDP message (also thrown by pngInfo/validateTile). */
export class TdpDecodeError extends TdpCodecError {}

/** A message object that would produce bytes decodeMessage rejects. */
export class TdpEncodeError extends TdpCodecError {}

function describeType(type: number | null): string {
  if (type === null) return "TDP message";
  return isMessageType(type) ? `TDP type ${type} (${messageTypeName(type)})` : `TDP type ${type}`;
}
