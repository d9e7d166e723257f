// `bun run bench`: the benchmark sections, results written to bench/results/<section>.md (each with its own run line:
// date, command, machine) and BENCHMARKS.md rebuilt from all of them. Figures on this shared 2-core machine vary run to
// run; peers measured in the same run give ratios.
//   bun bench/run.ts [--quick] [--only a,b] [--list]
//     --quick: shorter runs (a smoke check; nothing written)   --only: just these sections   --list: section names
//     --rebuild: run nothing, only rebuild BENCHMARKS.md from bench/results/
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ParsedArgs, parseCommandLine, UsageError } from "../src/commandLine.ts";
import { ffmpegVersion, machine } from "./sections/common.ts";
import { SECTIONS } from "./sections/index.ts";

const ROOT = join(import.meta.dir, "..");
const RESULTS = join(import.meta.dir, "results");

const USAGE = "usage: bun run bench -- [--quick] [--only a,b] [--list] [--rebuild]";
let args: ParsedArgs;
try {
  args = parseCommandLine(Bun.argv.slice(2), { quick: { type: "boolean" }, only: { type: "string" }, list: { type: "boolean" }, rebuild: { type: "boolean" } });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`bench: ${err.message}\n${USAGE}`);
  process.exit(2);
}
const only = args.string("only");
const values = { quick: args.flag("quick"), list: args.flag("list"), rebuild: args.flag("rebuild"), only };
if (values.list) {
  for (const s of SECTIONS) console.log(`${s.name}\t${s.title}`);
  process.exit(0);
}
const wanted = values.rebuild ? [] : values.only ? values.only.split(",").map((s) => s.trim()).filter(Boolean) : SECTIONS.map((s) => s.name);
const unknown = wanted.filter((name) => !SECTIONS.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown section(s): ${unknown.join(", ")}; known: ${SECTIONS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}

const quick = values.quick;
const started = Date.now();
mkdirSync(RESULTS, { recursive: true });
for (const section of SECTIONS.filter((s) => wanted.includes(s.name))) {
  const t0 = Date.now();
  console.log(`\n## ${section.title}\n`);
  const body = await section.run({ quick });
  const seconds = Math.round((Date.now() - t0) / 1000);
  const header = `_Run ${new Date(t0).toISOString()} with \`bun run bench -- --only ${section.name}\` on ${machine()}; peer: ${ffmpegVersion()}; ${seconds} s._`;
  if (!quick) await Bun.write(join(RESULTS, `${section.name}.md`), [`## ${section.title}`, "", header, "", ...body, ""].join("\n"));
}

if (!quick) {
  const parts = SECTIONS.map((s) => join(RESULTS, `${s.name}.md`)).filter((p) => existsSync(p)).map((p) => readFileSync(p, "utf8").trimEnd());
  const intro = [
    "# Benchmarks",
    "",
    "Made by `bun run bench` (all sections) or `bun run bench -- --only <section>` (see `bun run bench -- --list`); each",
    "section says when, with which command and on which machine it ran. The machine is shared and noisy: compare",
    "ratios against the peer measured in the same run, not absolute figures across runs or sections.",
  ].join("\n");
  await Bun.write(join(ROOT, "BENCHMARKS.md"), `${[intro, ...parts].join("\n\n")}\n`);
  console.log(`\nBENCHMARKS.md rebuilt (${Math.round((Date.now() - started) / 1000)} s).`);
} else {
  console.log("\n(--quick: nothing written)");
}
process.exit(0);
