import { MessageType } from "./messages.ts";

/** "PNG2Frame" for 27; "Unknown(99)" for a byte that is not a legacy TDP type. */
export function messageTypeName(type: number): string {
  return isMessageType(type) ? MessageType[type] : `Unknown(${type})`;
}

export function isMessageType(type: number): type is MessageType {
  return Number.isInteger(type) && type >= MessageType.ClientScreenSpec && type <= MessageType.TDPUpgrade;
}
