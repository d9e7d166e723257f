// Pieces the project keeps exactly one of. A second copy creeps back easily (it is a one-liner to paste),
// so this reads every source file and names the copies.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const DIRS = ["src", "public", "test", "bench", "tools"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" || name === "fixtures" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const files = DIRS.flatMap((d) => sourceFiles(join(ROOT, d))).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, "utf8") }));

/** Files other than `home` whose text matches `pattern`. */
function copiesOf(pattern: RegExp, home: string): string[] {
  return files.filter((f) => f.path !== home && f.path !== "test/architecture/oneCopy.test.ts" && pattern.test(f.text)).map((f) => f.path);
}

describe("one copy of each", () => {
  test("the sanity of the scan: it reads the homes themselves", () => {
    expect(files.length).toBeGreaterThan(200);
    expect(files.some((f) => f.path === "src/errorMessage.ts")).toBe(true);
    expect(copiesOf(/export function errorMessage\(/, "nowhere")).toEqual(["src/errorMessage.ts"]);
  });

  test("the text of a thrown value: errorMessage(err) in src/errorMessage.ts", () => {
    expect(copiesOf(/(\w+) instanceof Error \? \1\.message : String\(\1\)/, "src/errorMessage.ts")).toEqual([]);
  });

  test("the seeded PRNG of tests and benches: rng() in test/fuzz/mutate.ts", () => {
    expect(copiesOf(/0x6d2b79f5/i, "test/fuzz/mutate.ts")).toEqual([]);
  });

  test("the PNG signature, chunk writer and checks: src/png/", () => {
    const pngHomes = files.filter((f) => /0x89,\s*0x50,\s*0x4e,\s*0x47/i.test(f.text)).map((f) => f.path);
    expect(pngHomes).toEqual(["src/png/header.ts"]);
  });

  test("the command-line parser: src/commandLine.ts (node:util parseArgs)", () => {
    expect(copiesOf(/import \{[^}]*\bparseArgs\b[^}]*\} from "node:util"/, "src/commandLine.ts")).toEqual([]);
  });
});
