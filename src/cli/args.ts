// A small command-line parser: `--name value`, `--name=value`, `-o value`, boolean `--flag`, `--` ends
// options. Each command declares its options; anything else is a usage error (exit code 2).

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

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  server: { type: "string" },
  data: { type: "string" },
  local: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const all: OptionSpecs = { ...GLOBAL_OPTIONS, ...specs };
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(all)) if (spec.short) byShort.set(spec.short, name);
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (name === undefined) throw new UsageError(`unknown option ${arg}`);
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = all[name];
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      values.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.set(name, value);
  }
  return new ParsedArgs(values, positionals);
}
