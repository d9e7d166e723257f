// The CLI's options: every command's own plus the global ones, parsed by the one command-line parser.
import { type OptionSpecs, type ParsedArgs, parseCommandLine } from "../commandLine.ts";

export { type OptionSpec, type OptionSpecs, ParsedArgs, UsageError } from "../commandLine.ts";

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  server: { type: "string" },
  data: { type: "string" },
  local: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  return parseCommandLine(argv, { ...GLOBAL_OPTIONS, ...specs });
}
