// One wording for bad input, whether Elysia found it in a request or the CLI checks its flags against the same
// schema before asking the server (or reading the data dir).
import { getSchemaValidator, type Static, type TSchema } from "elysia";
import { errorMessage } from "../errorMessage.ts";

interface SchemaProblem {
  path?: string;
  value?: unknown;
  message?: string;
  schema?: { error?: unknown; [key: string]: unknown };
}

/** `/limit` → `limit`, `/resize/cols` → `resize.cols`. */
function fieldName(path: string | undefined): string {
  return (path ?? "").replace(/^\//, "").replace(/\//g, ".");
}

/** The sentence for one schema problem: the schema's own `error` text when it has one. */
export function problemText(problem: SchemaProblem | undefined, where: string): string {
  const custom = problem?.schema?.error;
  if (typeof custom === "string") {
    const value = problem?.value;
    return value === undefined || value === null || typeof value === "object" ? custom : `${custom}, got ${JSON.stringify(value)}`;
  }
  const name = fieldName(problem?.path);
  if (problem && problem.value === undefined && name) return `${name} is required`;
  const detail = (problem?.message ?? "bad value").replace(/^Expected/, "expected");
  return name ? `${name}: ${detail}` : `invalid ${where}: ${detail}`;
}

interface ElysiaValidationError {
  type?: string;
  valueError?: SchemaProblem;
  customError?: unknown;
}

/** The `error` text for an Elysia validation failure of a request's query, params, body or headers. */
export function requestProblem(error: unknown): string {
  const e = (error ?? {}) as ElysiaValidationError;
  if (e.valueError) return problemText(e.valueError, e.type ?? "request");
  return typeof e.customError === "string" && e.customError ? e.customError : `invalid ${e.type ?? "request"}`;
}

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaError";
  }
}

/** Check text parameters (a URL query, CLI flags) against a query schema, as the server would; throws SchemaError. */
export function checkParams<S extends TSchema>(schema: S, params: URLSearchParams | Record<string, string | undefined>): Static<S> {
  const raw: Record<string, string> = {};
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [key, value] of entries) if (value !== undefined && value !== "") raw[key] = value;
  const validator = getSchemaValidator(schema, { normalize: true });
  if (!validator) return raw as Static<S>;
  const cleaned: unknown = validator.Clean ? validator.Clean(raw) : raw;
  if (!validator.Check(cleaned)) throw new SchemaError(problemText(validator.Errors(cleaned).First() as SchemaProblem | undefined, "query"));
  try {
    return validator.Decode(cleaned) as Static<S>;
  } catch (err) {
    // A bounded number arrives as text and is checked while it is decoded; the schema's text is the message.
    const problem = (err as { error?: SchemaProblem }).error;
    throw new SchemaError(problem?.schema?.error ? problemText(problem, "query") : errorMessage(err));
  }
}
