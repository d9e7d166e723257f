// The child side of childMemory.ts: bun childMemoryRunner.ts <module> <export> <json args>.
const [modulePath, exportName, argsJson] = process.argv.slice(2);
const mod = (await import(modulePath!)) as Record<string, (...args: unknown[]) => Promise<unknown>>;
const work = mod[exportName!];
if (typeof work !== "function") throw new Error(`${modulePath} exports no function ${exportName}`);
Bun.gc(true);
const base = process.memoryUsage().rss;
let peak = base;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const result = await work(...(JSON.parse(argsJson ?? "[]") as unknown[]));
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(JSON.stringify({ growth: peak - base, result }));
export {};
