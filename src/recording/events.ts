// The recording's audit events: typed objects, their protobuf OneOf form and Teleport's JSON form.
export * from "./eventTypes.ts";
export { encodeOneOf, decodeOneOf, EventDecodeError } from "./eventCodec.ts";
export { toAuditJson, formatRfc3339, type AuditJson } from "./auditJson.ts";
