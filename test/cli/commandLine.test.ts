// The one command-line parser behind the CLI, the demo tool and the server's own flags, and the exit
// codes each front end gives a bad command line (2, with the usage text).
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseCommandLine, UsageError } from "../../src/commandLine.ts";
import { loadConfig } from "../../src/config.ts";
import { parseDemoArgs } from "../../tools/demo/command.ts";
import { collect, REPO, spawnCli } from "./cliHarness.ts";

/** `bun src/main.ts <args>`: the server's own entry point. */
const spawnServer = (args: string[]) => Bun.spawn([process.execPath, join(REPO, "src/main.ts"), ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });

const SPECS = { output: { type: "string", short: "o" }, json: { type: "boolean" } } as const;

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv, SPECS);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`${argv.join(" ")} parsed`);
}

describe("parseCommandLine", () => {
  test("long, inline, short and boolean options; positionals; -- ends options; the last repeat wins", () => {
    const args = parseCommandLine(["a", "--output", "x", "b", "--json", "-o", "y", "--", "--json", "-o"], SPECS);
    expect(args.string("output")).toBe("y");
    expect(args.flag("json")).toBe(true);
    expect(args.positionals).toEqual(["a", "b", "--json", "-o"]);
    expect(parseCommandLine(["--output=a=b"], SPECS).string("output")).toBe("a=b");
    // A string option takes the next word even when it starts with a dash.
    expect(parseCommandLine(["--output", "--json"], SPECS).string("output")).toBe("--json");
    expect(parseCommandLine([], SPECS).flag("json")).toBe(false);
  });

  test("anything undeclared or malformed is a UsageError that names it", () => {
    expect(usageError(["--bogus"])).toBe("unknown option --bogus");
    expect(usageError(["-x"])).toBe("unknown option -x");
    expect(usageError(["--output"])).toBe("--output needs a value");
    expect(usageError(["--json=yes"])).toBe("--json takes no value");
    // Inherited object keys are not options.
    expect(usageError(["--constructor"])).toBe("unknown option --constructor");
  });

  test("number() checks its range", () => {
    const args = parseCommandLine(["--output", "12"], SPECS);
    expect(args.number("output", 1, 0, 100)).toBe(12);
    expect(() => args.number("output", 1, 0, 10)).toThrow("--output 12: expected a number from 0 to 10");
    expect(parseCommandLine([], SPECS).number("output", 7, 0, 10)).toBe(7);
  });
});

describe("front ends", () => {
  test("the server: --demo is a flag, anything else a usage error (exit 2)", async () => {
    expect(loadConfig({}, ["--demo"]).demo).toBe(true);
    expect(loadConfig({}, []).demo).toBe(false);
    expect(() => loadConfig({}, ["--demo=1"])).toThrow(UsageError);
    const bad = await collect(spawnServer(["--bogus"]));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("deskreel: unknown option --bogus");
    expect(bad.stderr).toContain("usage: npm start");
    const help = await collect(spawnServer(["--help"]));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--demo");
  });

  test("the demo tool: its flags, and usage errors with its usage text (exit 2)", async () => {
    const args = parseDemoArgs(["--sessions", "3", "--size=640x480", "--fast", "--seed", "0"], {});
    expect(args).toMatchObject({ sessions: 3, width: 640, height: 480, realtime: false, seed: 0, tdpb: false });
    expect(() => parseDemoArgs(["--sessions", "0"], {})).toThrow("--sessions 0: expected an integer from 1 to 1000");
    expect(() => parseDemoArgs(["stray"], {})).toThrow("unexpected argument stray");
    const run = await collect(spawnCli(["demo", "--sessions"]));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("deskreel demo: --sessions needs a value");
    expect(run.stderr).toContain("usage: deskreel demo");
  });

  test("the CLI: an unknown flag of a command is exit 2 with that command's usage", async () => {
    const run = await collect(spawnCli(["ls", "--bogus"], { server: null, token: null }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("deskreel ls: unknown option --bogus");
    expect(run.stderr).toContain("usage: deskreel ls");
  });
});
