// The demo tool's one entry point from the product: `deskreel demo` (src/cli/main.ts) and `bun start --demo`
// (src/server.ts) load it with a dynamic import, only when a demo is asked for. Nothing else in src/ reaches
// into tools/ (test/architecture/imports.test.ts keeps it so).
export { runDemoAgent, type DemoAgentOptions, type DemoAgentResult } from "./agent.ts";
export { demoCommand } from "./command.ts";
