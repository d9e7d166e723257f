// The one command-line parser (node:util parseArgs) for the CLI, the server (`bun start --demo`) and the demo
// tool: `--name value`, `--name=value`, `-o value`, boolean `--flag`, `--` ends options. Each caller declares
// its options; anything else is a usage error, which callers answer with exit code 2 and their usage text.
import { parseArgs } from "node:util";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface OptionSpec {
  type: "string" | "boolean";
  /** A one-letter alias, without the dash. */
  short?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export class ParsedArgs {
  constructor(
    private readonly values: ReadonlyMap<string, string | true>,
    readonly positionals: readonly string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.values.get(name);
    return typeof value === "string" ? value : undefined;
  }

  flag(name: string): boolean {
    return this.values.get(name) === true;
  }

  /** A number option within [min, max], or the fallback when absent. */
  number(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} ${raw}: expected a number from ${min} to ${max}`);
    return n;
  }
}

/**
 * Parses argv against specs. parseArgs runs non-strict so that this module, not node's wording, says what
 * is wrong ("unknown option --x", "--x needs a value", "--x takes no value"); the last of a repeated option wins.
 */
export function parseCommandLine(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const { tokens } = parseArgs({ args: [...argv], options: specs, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) throw new UsageError(`unknown option ${token.rawName}`);
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw new UsageError(`--${token.name} takes no value`);
      values.set(token.name, true);
    } else {
      if (token.value === undefined) throw new UsageError(`--${token.name} needs a value`);
      values.set(token.name, token.value);
    }
  }
  return new ParsedArgs(values, positionals);
}
