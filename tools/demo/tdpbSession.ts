// A demo session spoken in TDPB, as a newer Teleport agent would: a ClientHello and a ServerHello with
// the screen size before the first screen message, then every message in its TDPB form (PNGFrame,
// ClientScreenSpec, MouseMove, ClipboardData, Alert, ...). Legacy messages TDPB has no form for are left out.
import { decodeMessage } from "../../src/tdp/codec.ts";
import { MessageType, type TdpMessage } from "../../src/tdp/messages.ts";
import { encodeTdpb } from "../../src/tdp/tdpb/codec.ts";
import { fromLegacy } from "../../src/tdp/tdpb/fromLegacy.ts";
import type { TdpbMessage } from "../../src/tdp/tdpb/messages.ts";
import type { DemoRecord } from "./session.ts";

/** The hellos a TDPB connection opens with, for a screen of this size (RDP channel ids as FreeRDP's server gives them). */
function hellos(first: TdpMessage, login: string): TdpbMessage[] {
  if (first.type !== MessageType.ClientScreenSpec && first.type !== MessageType.RDPConnectionActivated) return [];
  const { width, height } = first;
  const client: TdpbMessage = { kind: "clientHello", username: login, screenSpec: { width, height, scale: 100 }, keyboardLayout: 0x409 };
  // An RDP-era capture brings its own activation (31 → ServerHello); a PNG-era one gets one made up.
  if (first.type === MessageType.RDPConnectionActivated) return [client];
  return [client, {
    kind: "serverHello", activationSpec: { ioChannelId: 1003, userChannelId: 1007, screenWidth: width, screenHeight: height },
    clipboardEnabled: true, directoryRemoveSupported: true, sessions: [], hidpiSupported: false,
  }];
}

/** The same session as TDPB records (`u32 length | Envelope` each), at the same times. */
export async function* asTdpbSession(records: AsyncIterable<DemoRecord> | Iterable<DemoRecord>, login: string): AsyncGenerator<DemoRecord> {
  let greeted = false;
  for await (const record of records) {
    const legacy = decodeMessage(record.data);
    if (!greeted) {
      const opening = hellos(legacy, login);
      greeted = opening.length > 0;
      for (const m of opening) yield { delayMs: record.delayMs, data: encodeTdpb(m) };
    }
    const tdpb = fromLegacy(legacy);
    if (tdpb) yield { delayMs: record.delayMs, data: encodeTdpb(tdpb) };
  }
}
