// `bun run deskreel <command>`: the terminal side of deskreel. Exit codes: 0 done, 1 failed, 2 bad usage.
import { type OptionSpecs, type ParsedArgs, parseArgs, UsageError } from "./args.ts";
import { EXPORT_OPTIONS, EXPORT_USAGE, exportCommand } from "./commands/export.ts";
import { IMPORT_OPTIONS, IMPORT_USAGE, importCommand } from "./commands/import.ts";
import { LS_OPTIONS, LS_USAGE, lsCommand } from "./commands/ls.ts";
import { PLAY_OPTIONS, PLAY_USAGE, playCommand } from "./commands/play.ts";
import { VERIFY_OPTIONS, VERIFY_USAGE, verifyCommand } from "./commands/verify.ts";
import { WATCH_OPTIONS, WATCH_USAGE, watchCommand } from "./commands/watch.ts";
import { type CliContext, createContext } from "./context.ts";
import { CliError } from "./errors.ts";
import { errorMessage } from "../errorMessage.ts";

interface Command {
  summary: string;
  usage: string;
  options: OptionSpecs;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  ls: { summary: "list recordings (filters, table or JSON)", usage: LS_USAGE, options: LS_OPTIONS, run: lsCommand },
  export: { summary: "download a desktop recording's MP4, or a clip of it", usage: EXPORT_USAGE, options: EXPORT_OPTIONS, run: exportCommand },
  import: { summary: "import Teleport recordings (files or directories)", usage: IMPORT_USAGE, options: IMPORT_OPTIONS, run: importCommand },
  watch: { summary: "live sessions and encoder load, refreshed in place", usage: WATCH_USAGE, options: WATCH_OPTIONS, run: watchCommand },
  verify: { summary: "check a recording end to end", usage: VERIFY_USAGE, options: VERIFY_OPTIONS, run: verifyCommand },
  play: { summary: "play an SSH recording in the terminal", usage: PLAY_USAGE, options: PLAY_OPTIONS, run: playCommand },
};

const GLOBAL_HELP = `global options:
  --server URL   the server (default $DESKREEL_SERVER or http://127.0.0.1:8080); token from $DESKREEL_TOKEN or $DESKREEL_ADMIN_TOKEN
  --data DIR     the data dir read when no server answers (ls, verify, export, play; default $DESKREEL_DATA or ./data)
  --local        read the data dir even if a server answers
  -h, --help     help for a command`;

function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length), 4);
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  lines.push(`  ${"demo".padEnd(width)}  run synthetic desktop sessions against a server (deskreel demo --help)`);
  return `usage: deskreel <command> [options]\ncommands:\n${lines.join("\n")}\n${GLOBAL_HELP}`;
}

/** The command and its arguments; global options may come before the command (deskreel --server URL ls). */
function splitCommand(argv: readonly string[]): [string | undefined, string[]] {
  const at = argv.findIndex((a) => a in COMMANDS || a === "demo" || a === "help");
  if (at <= 0 || argv.slice(0, at).some((a) => a === "--help" || a === "-h")) return [argv[0], argv.slice(1)];
  return [argv[at], [...argv.slice(0, at), ...argv.slice(at + 1)]];
}

export async function main(argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [name, rest] = splitCommand(argv);
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    const command = topic === undefined ? undefined : COMMANDS[topic];
    process.stdout.write(`${command ? `${command.usage}\n${GLOBAL_HELP}` : mainUsage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "demo") {
    // The demo agent is a tool outside the product (tools/demo), loaded only for this command.
    const { demoCommand } = await import("../../tools/demo/index.ts");
    return demoCommand([...rest], env);
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`deskreel: unknown command ${JSON.stringify(name)}\n${mainUsage()}\n`);
    return 2;
  }
  try {
    const args = parseArgs(rest, command.options);
    if (args.flag("help")) {
      process.stdout.write(`${command.usage}\n${GLOBAL_HELP}\n`);
      return 0;
    }
    return await command.run(args, createContext(args, env));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`deskreel ${name}: ${err.message}\n${command.usage}\n`);
      return 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`deskreel ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`deskreel ${name}: ${errorMessage(err)}\n`);
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  // Let buffered output reach a pipe before leaving.
  process.exitCode = code;
}
