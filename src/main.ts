// `bun start`: the all-in-one server with embedded defaults (files + SQLite under DESKREEL_DATA).
import { loadConfig, type Config } from "./config.ts";
import { startServer, type RunningServer } from "./server.ts";
import { errorMessage } from "./errorMessage.ts";

// Whatever this process writes (recordings, databases, keys) is readable by its own user only.
process.umask(0o077);

let config: Config;
let server: RunningServer;
try {
  config = loadConfig(process.env, process.argv.slice(2));
  server = await startServer(config, { log: (line) => console.log(line) });
} catch (err) {
  // A configuration mistake is a sentence, not a stack trace.
  console.error(`deskreel: cannot start: ${errorMessage(err)}`);
  process.exit(1);
}

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
