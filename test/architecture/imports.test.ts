// The shape of src/: the video path runs one way (nothing in video/ reaches back into sessions/), and no
// module or folder imports itself in a circle. Type-only and dynamic imports count: a cycle through
// types still ties the pieces together. Tools (tools/) use the product; the product reaches a tool only
// through its one documented entry, loaded on demand.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const SRC = join(ROOT, "src");

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Relative imports of every source file under dirs (default: all of root), as paths relative to root. */
export function importGraph(root: string, dirs: readonly string[] = ["."]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap((dir) => sourceFiles(join(root, dir)))) {
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith(".")) continue;
      let target = resolve(dirname(file), spec);
      if (!/\.tsx?$/.test(target)) target += ".ts";
      targets.push(relative(root, target));
    }
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** Strongly connected components with more than one node (or a node importing itself): the cycles. */
export function cycles(graph: Map<string, Iterable<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || [...(graph.get(v) ?? [])].includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The same graph between folders (a file directly in src/ is its own node). */
export function folderGraph(graph: Map<string, string[]>): Map<string, Set<string>> {
  const folder = (file: string) => (file.includes("/") ? dirname(file) : file);
  const out = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = folder(file);
    const edges = out.get(from) ?? new Set<string>();
    out.set(from, edges);
    for (const t of targets) if (folder(t) !== from) edges.add(folder(t));
  }
  return out;
}

/** Top-level areas of src/ (video/pool and video/mp4 are both "video"). */
function areaGraph(graph: Map<string, string[]>): Map<string, Set<string>> {
  const area = (file: string) => file.split("/")[0];
  const out = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const edges = out.get(area(file)) ?? new Set<string>();
    out.set(area(file), edges);
    for (const t of targets) if (area(t) !== area(file)) edges.add(area(t));
  }
  return out;
}

const graph = importGraph(SRC);
/** src/ and tools/ together, paths relative to the repo root ("src/server.ts", "tools/demo/agent.ts"). */
const whole = importGraph(ROOT, ["src", "tools"]);

/** The one way from the product into a tool: the demo's entry, loaded by the CLI's `demo` command and `--demo`. */
const TOOL_ENTRIES = ["tools/demo/index.ts"];

/** Areas of the whole tree: src/video, src/sessions, tools/demo, … (a file directly in src/ is its own area). */
function areaOfWhole(file: string): string {
  const parts = file.split("/");
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
}

describe("import graph of src/", () => {
  test("reads the imports it should (sanity: known edges are seen)", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("main.ts")).toContain("server.ts");
    expect(graph.get("services.ts")).toContain("video/pool/videoPool.ts");
    // A dynamic import counts.
    expect(whole.get("src/server.ts")).toContain("tools/demo/index.ts");
    expect(whole.get("tools/demo/agent.ts")).toContain("src/tdp/eras.ts");
  });

  test("the cycle finder finds a cycle when there is one", () => {
    const made = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["d"]],
      ["e", ["a"]],
    ]);
    expect(cycles(made)).toEqual([["a", "b", "c"], ["d"]]);
    expect(cycles(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
  });

  test("nothing in video/ imports from sessions/ (the video path runs one way)", () => {
    const back = [...graph].flatMap(([file, targets]) => (file.startsWith("video/") ? targets.filter((t) => t.startsWith("sessions/")).map((t) => `${file} -> ${t}`) : []));
    expect(back).toEqual([]);
  });

  test("video/mp4 is pure: no storage, no sessions, no pool", () => {
    const impure = [...graph].flatMap(([file, targets]) => (file.startsWith("video/mp4/") ? targets.filter((t) => !t.startsWith("video/mp4/") && t !== "bytes.ts" && t !== "eventLoop.ts").map((t) => `${file} -> ${t}`) : []));
    expect(impure).toEqual([]);
  });

  test("no file imports itself through a circle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  test("no folder of the video path imports itself through a circle", () => {
    const video = new Map([...graph].filter(([file]) => file.startsWith("video/")));
    expect(cycles(folderGraph(video))).toEqual([]);
  });

  test("no top-level area imports itself through a circle", () => {
    expect(cycles(areaGraph(graph))).toEqual([]);
  });

  test("src/ reaches into tools/ only through a tool's documented entry", () => {
    const intoTools = [...whole].flatMap(([file, targets]) => (file.startsWith("src/") ? targets.filter((t) => t.startsWith("tools/")).map((t) => `${file} -> ${t}`) : []));
    expect(intoTools.length).toBeGreaterThan(0);
    expect(intoTools.filter((edge) => !TOOL_ENTRIES.some((entry) => edge.endsWith(` -> ${entry}`)))).toEqual([]);
  });

  test("src/ loads a tool only on demand (a dynamic import, never a static one)", () => {
    const staticImport = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?["']([^"']*\/tools\/[^"']*)["']/g;
    const found = sourceFiles(SRC).flatMap((file) => [...readFileSync(file, "utf8").matchAll(staticImport)].map((m) => `${relative(ROOT, file)}: ${m[1]}`));
    expect(found).toEqual([]);
  });

  test("no file or area of src/ and tools/ together imports itself through a circle", () => {
    expect(cycles(whole)).toEqual([]);
    const areas = new Map<string, Set<string>>();
    for (const [file, targets] of whole) {
      const edges = areas.get(areaOfWhole(file)) ?? new Set<string>();
      areas.set(areaOfWhole(file), edges);
      for (const t of targets) if (areaOfWhole(t) !== areaOfWhole(file)) edges.add(areaOfWhole(t));
    }
    expect(cycles(areas)).toEqual([]);
  });
});
