// Building blocks of the HTTP contract's schemas: the JSON error body, enumerations and bounded numbers whose
// validation messages are the ones the API has always answered with (`{"error": "limit must be ..."}`).
import { type Static, type TSchema, t } from "elysia";

/** Every error answer: `{"error": "..."}`; an import's parse error adds the byte `offset`. */
export const ErrorBody = t.Object(
  {
    error: t.String({ description: "what went wrong, for people" }),
    offset: t.Optional(t.Integer({ minimum: 0, description: "import only: the byte of the recording where reading failed" })),
  },
  { description: "An error", additionalProperties: true },
);
export type ErrorBody = Static<typeof ErrorBody>;

const ERROR_TEXT: Record<number, string> = {
  400: "bad input: a parameter or the body is not valid",
  401: "no valid credential (bearer token or session cookie)",
  403: "the credential's role may not do this",
  404: "no such recording, user or token (or it is not visible to the caller)",
  409: "it already exists",
  413: "the request body is larger than this route accepts",
  416: "the range cannot be satisfied",
  429: "too many failed logins: wait Retry-After seconds",
  503: "busy: try again in a moment (Retry-After)",
};

/** The error answers a route can give, for its `response` map. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, t.Object(ErrorBody.properties, { description: ERROR_TEXT[s] ?? "error", additionalProperties: true })]));
}

type LiteralTuple<V extends readonly string[]> = { -readonly [K in keyof V]: ReturnType<typeof t.Literal<V[K]>> };
type LiteralUnion<V extends readonly string[]> = ReturnType<typeof t.Union<LiteralTuple<V>>>;

/** A schema for exactly these strings (typed as their union). */
export function literals<const V extends readonly [string, ...string[]]>(values: V, options: { error?: string; description?: string } = {}): LiteralUnion<V> {
  return t.Union(values.map((v) => t.Literal(v)), options) as unknown as LiteralUnion<V>;
}

/** One of a fixed set of strings; a bad value is answered `<name> must be one of a|b|c`. */
export function oneOf<const V extends readonly [string, ...string[]]>(name: string, values: V, description?: string): LiteralUnion<V> {
  return literals(values, { error: `${name} must be one of ${values.join("|")}`, description });
}

/** A whole number in a query string (sent as text), within [min, max]. */
export function wholeNumber(name: string, min: number, max: number, description?: string) {
  return t.Numeric({ minimum: min, maximum: max, multipleOf: 1, error: `${name} must be a whole number from ${min} to ${max}`, description });
}

/** A time in a query: RFC 3339 (a date alone is midnight UTC) or milliseconds since the epoch. */
export function timeParam(name: string, description: string) {
  return t.String({
    pattern: "^(\\d+|\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?([Zz]|[+-]\\d{2}:?\\d{2})?)?)$",
    error: `${name} must be an RFC 3339 time`,
    description,
    examples: ["2026-03-01T09:30:00Z"],
  });
}

/** A time query value (already matched by timeParam) → ms; null when the date itself does not exist. */
export function timeValue(value: string): number | null {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** `:id` of a recording. */
export const RecordingIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 128, description: "the recording's session id" }) });
