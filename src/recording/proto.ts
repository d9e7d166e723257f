// Loads proto/events.proto once (protobufjs generates encoders/decoders at load time, so each
// encode is a plain function call) and offers typed access to decoded messages without `any`.
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

const PROTO_PATH = fileURLToPath(new URL("../../proto/events.proto", import.meta.url));

const root = protobuf.loadSync(PROTO_PATH);

export const OneOfType: protobuf.Type = root.lookupType("events.OneOf");
export const MetadataType: protobuf.Type = root.lookupType("events.Metadata");

/** A decoded (or to-be-encoded) protobuf message as a plain record. */
export type ProtoObject = { [field: string]: unknown };

/** OneOf member names by field number, as written in events.proto. */
export const ONEOF_FIELD_NAMES: ReadonlyMap<number, string> = new Map(
  OneOfType.fieldsArray.map((field) => [field.id, field.name]),
);

interface LongLike {
  toNumber(): number;
}

function isLongLike(value: unknown): value is LongLike {
  return typeof value === "object" && value !== null && "toNumber" in value && typeof value.toNumber === "function";
}

/** int64/uint64 fields decode as Long objects; we keep numbers (indexes, delays and offsets stay far below 2^53). */
export function num(message: ProtoObject, field: string): number {
  const value = message[field];
  if (typeof value === "number") return value;
  if (isLongLike(value)) return value.toNumber();
  return 0;
}

export function str(message: ProtoObject, field: string): string {
  const value = message[field];
  return typeof value === "string" ? value : "";
}

export function bool(message: ProtoObject, field: string): boolean {
  return message[field] === true;
}

/** A bytes field, or null when absent (Teleport distinguishes a nil Message from an empty one). */
export function bytes(message: ProtoObject, field: string): Uint8Array | null {
  const value = message[field];
  return value instanceof Uint8Array && Object.prototype.hasOwnProperty.call(message, field) ? value : null;
}

export function sub(message: ProtoObject, field: string): ProtoObject {
  const value = message[field];
  return typeof value === "object" && value !== null ? (value as ProtoObject) : {};
}

export function strings(message: ProtoObject, field: string): string[] {
  const value = message[field];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function stringMap(message: ProtoObject, field: string): Record<string, string> {
  const value = message[field];
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === "string") out[key] = entry;
  return out;
}

/** google.protobuf.Timestamp ↔ Date, at millisecond precision (what Metadata.Time carries here). */
export function toTimestamp(date: Date): ProtoObject {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

export function fromTimestamp(message: ProtoObject, field: string): Date {
  const ts = sub(message, field);
  return new Date(num(ts, "seconds") * 1000 + Math.floor(num(ts, "nanos") / 1_000_000));
}

export function hasField(message: ProtoObject, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(message, field) && message[field] !== null && message[field] !== undefined;
}
