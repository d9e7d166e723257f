// `bun start`: the all-in-one server with embedded defaults (files + SQLite under DESKREEL_DATA).
import { loadConfig } from "./config.ts";
import { startServer } from "./server.ts";

const config = loadConfig(process.env, process.argv.slice(2));
const server = await startServer(config, { log: (line) => console.log(line) });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: ending live sessions and stopping`);
  await server.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
