// Loads proto/tdpb.proto once; protobufjs builds its encoders and decoders at load time.
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

const PROTO_PATH = fileURLToPath(new URL("../../../proto/tdpb.proto", import.meta.url));

const root = protobuf.loadSync(PROTO_PATH);

export const EnvelopeType: protobuf.Type = root.lookupType("teleport.desktop.v1.Envelope");

/** The Envelope's payload member names (camelCase, as protobufjs names them) by field number. */
export const PAYLOAD_BY_FIELD: ReadonlyMap<number, string> = new Map(EnvelopeType.fieldsArray.map((f) => [f.id, f.name]));

/** The wire name of a payload (`png_frame` for `pngFrame`), for messages that people read. */
export function wireName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
