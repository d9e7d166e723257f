// A JSON Schema (as the OpenAPI document carries it) written the way a TypeScript reader expects:
// { name: string; limit?: integer (1..500) } — compact, with the constraints that matter to a caller.

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  additionalProperties?: boolean | Schema;
  $ref?: string;
  description?: string;
}

function constraints(s: Schema): string {
  const parts: string[] = [];
  if (s.format) parts.push(s.format);
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? ""}..${s.maximum ?? ""}`);
  if (s.maxLength !== undefined) parts.push(`≤ ${s.maxLength} chars`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** The schema as text; `indent` is the current indentation for nested objects. */
export function schemaText(s: Schema | undefined, indent = "", depth = 0): string {
  if (!s) return "any";
  if (s.$ref) return s.$ref.replace(/^#\/components\/schemas\//, "");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map((u) => schemaText(u, indent, depth + 1)).join(" | ");
  const type = Array.isArray(s.type) ? s.type.join(" | ") : s.type;
  if (type === "array") return `${schemaText(s.items, indent, depth + 1)}[]`;
  if (type === "object" || s.properties) {
    const props = Object.entries(s.properties ?? {});
    if (props.length === 0) return s.additionalProperties === false ? "{}" : "object";
    if (depth > 6) return "{ … }";
    const inner = `${indent}  `;
    const required = new Set(s.required ?? []);
    const lines = props.map(([name, p]) => `${inner}${name}${required.has(name) ? "" : "?"}: ${schemaText(p, inner, depth + 1)}`);
    if (s.additionalProperties === true) lines.push(`${inner}…`);
    return `{\n${lines.join("\n")}\n${indent}}`;
  }
  if (!type) return "any";
  return `${type}${constraints(s)}`;
}
