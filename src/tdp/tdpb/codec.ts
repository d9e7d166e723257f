// TDPB bytes ⇄ TdpbMessage. A message is `u32 BE length | Envelope` (docs/tdp.md). Strict like the
// legacy codec: the length must be exactly what follows, the Envelope must parse and carry one
// payload, every value must keep the legacy caps. An Envelope with only fields this build does not
// know is a valid message of kind "unknown" (a newer peer), not an error.
import protobuf from "protobufjs";
import { checkPayload } from "./checks.ts";
import { TdpbDecodeError, TdpbEncodeError } from "./errors.ts";
import { type KnownTdpbMessage, TDPB_HEADER_BYTES, TDPB_MAX_ENVELOPE, type TdpbMessage } from "./messages.ts";
import { EnvelopeType, PAYLOAD_BY_FIELD, wireName } from "./proto.ts";
import { errorMessage } from "../../errorMessage.ts";

type Plain = { [field: string]: unknown };

/** True when a binary frame is TDPB rather than legacy TDP (legacy type bytes are never 0). */
export function isTdpb(frame: Uint8Array): boolean {
  return frame.length > 0 && frame[0] === 0;
}

/** Decodes one TDPB message. Bytes fields are views into `buf`: do not reuse `buf` while the message is alive. */
export function decodeTdpb(buf: Uint8Array): TdpbMessage {
  if (buf.length < TDPB_HEADER_BYTES) throw new TdpbDecodeError(null, 0, `truncated: ${buf.length} byte(s), the length header needs 4`);
  const length = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(0);
  if (length > TDPB_MAX_ENVELOPE) throw new TdpbDecodeError(null, 0, `length ${length} is over the TDPB limit of ${TDPB_MAX_ENVELOPE}`);
  const body = buf.length - TDPB_HEADER_BYTES;
  if (length !== body) {
    throw new TdpbDecodeError(null, 0, length > body ? `truncated: length says ${length} bytes, ${body} follow` : `length says ${length} bytes but ${body} follow`);
  }
  if (length === 0) throw new TdpbDecodeError(null, TDPB_HEADER_BYTES, "empty Envelope (no payload)");
  const envelope = buf.subarray(TDPB_HEADER_BYTES);
  const fields = topLevelFields(envelope);
  const known = [...new Set(fields.filter((n) => PAYLOAD_BY_FIELD.has(n)))];
  if (known.length === 0) return { kind: "unknown", fieldNumbers: [...new Set(fields)] };
  if (known.length > 1) {
    throw new TdpbDecodeError(null, TDPB_HEADER_BYTES, `Envelope carries ${known.length} payloads (${known.map((n) => wireName(PAYLOAD_BY_FIELD.get(n) ?? "")).join(", ")}); it must carry one`);
  }
  const kind = PAYLOAD_BY_FIELD.get(known[0]) as KnownTdpbMessage["kind"];
  let decoded: protobuf.Message;
  try {
    decoded = EnvelopeType.decode(envelope);
  } catch (err) {
    throw new TdpbDecodeError(kind, TDPB_HEADER_BYTES, `Envelope does not parse: ${errorMessage(err)}`);
  }
  const field = EnvelopeType.fields[kind];
  const message = { kind, ...fromProto(field.resolvedType as protobuf.Type, (decoded as unknown as Plain)[kind] as Plain) } as KnownTdpbMessage;
  checkPayload(message, (reason) => {
    throw new TdpbDecodeError(kind, TDPB_HEADER_BYTES, reason);
  });
  return message;
}

/** Encodes one TDPB message (header + Envelope), refusing anything decodeTdpb would reject. */
export function encodeTdpb(message: TdpbMessage): Uint8Array {
  const kind: unknown = message?.kind;
  const field = typeof kind === "string" && kind !== "unknown" ? EnvelopeType.fields[kind] : undefined;
  if (!field || field.partOf?.name !== "payload") throw new TdpbEncodeError(null, `unknown or unencodable payload kind ${JSON.stringify(kind)}`);
  const name = kind as KnownTdpbMessage["kind"];
  const fail = (reason: string): never => {
    throw new TdpbEncodeError(name, reason);
  };
  checkTypes(field.resolvedType as protobuf.Type, message as unknown as Plain, wireName(name), fail);
  checkPayload(message as KnownTdpbMessage, fail);
  const { kind: _, ...body } = message as unknown as Plain;
  const envelope = EnvelopeType.encode(EnvelopeType.fromObject({ [name]: toProto(body) })).finish();
  if (envelope.length > TDPB_MAX_ENVELOPE) fail(`Envelope of ${envelope.length} bytes is over the TDPB limit of ${TDPB_MAX_ENVELOPE}`);
  const out = new Uint8Array(TDPB_HEADER_BYTES + envelope.length);
  new DataView(out.buffer).setUint32(0, envelope.length);
  out.set(envelope, TDPB_HEADER_BYTES);
  return out;
}

/** Field numbers at the top level of an Envelope, in order. Throws TdpbDecodeError if the wire format breaks. */
function topLevelFields(envelope: Uint8Array): number[] {
  const reader = protobuf.Reader.create(envelope);
  const fields: number[] = [];
  let at = 0;
  try {
    while (reader.pos < reader.len) {
      at = reader.pos;
      const tag = reader.uint32();
      const number = tag >>> 3;
      if (number === 0) throw new Error("field number 0");
      reader.skipType(tag & 7);
      fields.push(number);
    }
  } catch (err) {
    throw new TdpbDecodeError(null, TDPB_HEADER_BYTES + at, `Envelope does not parse: ${errorMessage(err)}`);
  }
  return fields;
}

/** A decoded protobufjs message as a plain object: only the chosen member of each oneof, uint64 as bigint. */
function fromProto(type: protobuf.Type, message: Plain | null): Plain {
  const out: Plain = {};
  for (const oneof of type.oneofsArray) out[oneof.name] = message?.[oneof.name] ?? null;
  for (const field of type.fieldsArray) {
    if (field.partOf && out[field.partOf.name] !== field.name) continue;
    const value = message?.[field.name];
    out[field.name] = field.repeated ? ((value as unknown[] | undefined) ?? []).map((v) => fromValue(field, v)) : fromValue(field, value);
  }
  return out;
}

function fromValue(field: protobuf.Field, value: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type) {
    // A chosen oneof member that is an empty message decodes as {}; an unset singular one is null.
    return value === null || value === undefined ? (field.partOf ? {} : null) : fromProto(field.resolvedType, value as Plain);
  }
  if (field.type === "uint64") return BigInt(typeof value === "number" ? value : String(value ?? 0));
  // An unset bytes field reads as protobufjs's shared empty array: give a Uint8Array like any other.
  if (field.type === "bytes") return value instanceof Uint8Array ? value : new Uint8Array(0);
  return value;
}

/** The reverse of fromProto for fromObject: bigint → decimal string, the rest as is. */
function toProto(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(toProto);
  const out: Plain = {};
  for (const [k, v] of Object.entries(value)) out[k] = toProto(v);
  return out;
}

const INT_RANGES: Record<string, [number, number]> = {
  uint32: [0, 0xffff_ffff],
  int32: [-0x8000_0000, 0x7fff_ffff],
};

/** fromObject coerces silently (a string becomes 0, 2^33 wraps): check every value's type first. */
function checkTypes(type: protobuf.Type, value: Plain, path: string, fail: (reason: string) => never): void {
  if (typeof value !== "object" || value === null) fail(`${path} is not an object`);
  for (const field of type.fieldsArray) {
    if (field.partOf && value[field.partOf.name] !== field.name) {
      if (value[field.name] !== undefined && value[field.name] !== null) fail(`${path}.${field.name} is set but ${field.partOf.name} is ${String(value[field.partOf.name])}`);
      continue;
    }
    const v = value[field.name];
    const at = `${path}.${wireName(field.name)}`;
    if (field.repeated) {
      if (!Array.isArray(v)) fail(`${at} is not an array`);
      (v as unknown[]).forEach((item, i) => checkValue(field, item, `${at}[${i}]`, fail));
    } else checkValue(field, v, at, fail);
  }
  for (const oneof of type.oneofsArray) {
    const chosen = value[oneof.name];
    if (chosen !== undefined && chosen !== null && !oneof.oneof.includes(String(chosen))) fail(`${path}.${oneof.name} ${JSON.stringify(chosen)} is not one of ${oneof.oneof.join(", ")}`);
  }
}

function checkValue(field: protobuf.Field, v: unknown, at: string, fail: (reason: string) => never): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    if (v === null && !field.partOf && !field.repeated) return;
    return checkTypes(resolved, v as Plain, at, fail);
  }
  if (resolved instanceof protobuf.Enum) {
    if (!Number.isInteger(v) || !Object.values(resolved.values).includes(v as number)) fail(`${at} ${String(v)} is not a value of ${resolved.name}`);
    return;
  }
  const range = INT_RANGES[field.type];
  if (range) {
    if (!Number.isInteger(v) || (v as number) < range[0] || (v as number) > range[1]) fail(`${at} ${String(v)} is not an integer in ${range[0]}..${range[1]}`);
  } else if (field.type === "uint64") {
    if (typeof v !== "bigint" || v < 0n || v > 0xffff_ffff_ffff_ffffn) fail(`${at} ${String(v)} is not a bigint in 0..2^64-1`);
  } else if (field.type === "bool") {
    if (typeof v !== "boolean") fail(`${at} is not a boolean`);
  } else if (field.type === "string") {
    if (typeof v !== "string") fail(`${at} is not a string`);
    if (!(v as string).isWellFormed()) fail(`${at} is not well-formed Unicode (lone surrogate)`);
  } else if (field.type === "bytes") {
    if (!(v instanceof Uint8Array)) fail(`${at} is not a Uint8Array`);
  }
}
