// `bun start`: the all-in-one server with embedded defaults (files + SQLite under DESKREEL_DATA).
import { UsageError } from "./commandLine.ts";
import { loadConfig, parseServerArgs, SERVER_USAGE, type Config } from "./config.ts";
import { startServer, type RunningServer } from "./server.ts";
import { errorMessage } from "./errorMessage.ts";

// Whatever this process writes (recordings, databases, keys) is readable by its own user only.
process.umask(0o077);

let config: Config;
let server: RunningServer;
try {
  if (parseServerArgs(process.argv.slice(2)).flag("help")) {
    console.log(SERVER_USAGE);
    process.exit(0);
  }
  config = loadConfig(process.env, process.argv.slice(2));
  server = await startServer(config, { log: (line) => console.log(line) });
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`deskreel: ${err.message}\n${SERVER_USAGE}`);
    process.exit(2);
  }
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
