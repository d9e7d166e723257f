// TDPB versions of the corpus captures, the way Teleport translates a legacy agent's messages.
import { decodeMessage } from "../../src/tdp/codec.ts";
import { encodeTdpb } from "../../src/tdp/tdpb/codec.ts";
import { fromLegacy } from "../../src/tdp/tdpb/fromLegacy.ts";
import type { TdpcapRecord } from "../../src/tdp/tdpcap.ts";

/** Each legacy record as its TDPB message (records with no TDPB counterpart are left out). */
export function asTdpb(records: readonly TdpcapRecord[]): TdpcapRecord[] {
  const out: TdpcapRecord[] = [];
  for (const r of records) {
    const m = fromLegacy(decodeMessage(r.data));
    if (m) out.push({ delayMs: r.delayMs, data: encodeTdpb(m) });
  }
  return out;
}
