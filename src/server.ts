// Starts the all-in-one server: services, crash recovery, HTTP + WebSocket, and optionally a demo session.
import { returnBigFreesToSystem } from "./nativeHeap.ts";
import type { Config } from "./config.ts";
import { JSON_BODY_LIMIT } from "./http/bodyLimit.ts";
import { createApp } from "./http/app.ts";
import { escapeControlChars } from "./safeText.ts";
import { createServices, type Services } from "./services.ts";
import { recoverInterrupted } from "./sessions/recovery.ts";
import { errorMessage } from "./errorMessage.ts";

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  /** The routes the server mounts (method and path; WebSocket routes as "WS"). */
  routes(): Array<{ method: string; path: string }>;
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: (line: string) => void;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  // Every line names things clients chose (users, desktops): one line stays one line.
  const sink = options.log ?? (() => undefined);
  const log = (line: string) => sink(escapeControlChars(line));
  returnBigFreesToSystem();
  const services = await createServices(config, log);
  // Join the cluster before recovering, so no other node takes this node's sessions over meanwhile. With PORT=0
  // and no DESKREEL_NODE_NAME the name needs the port: such a node joins once listening and, being new under
  // that name, has nothing of its own to recover.
  const namedEarly = services.node.knownBeforeListen;
  if (namedEarly) await services.cluster.start();
  // What the last process left half-appended on this disk (S3: spools) becomes whole objects first.
  const local = await services.store.recoverLocal();
  if (local.length > 0) log(`storage: finished ${local.length} object(s) left by the previous process`);
  if (config.databaseUrl === null) await recoverInterrupted(services); // an embedded catalog is this node's alone
  else if (namedEarly) await recoverInterrupted(services, services.node.name);
  // Finishes deletions a crash cut short, then (with DESKREEL_RETENTION_DAYS) deletes what is old, every hour.
  services.retention.start(config.retentionDays === null ? 0 : 60_000);
  // Each route has its own body limit, checked before its body is read (http/bodyLimit), answered as JSON. Bun's own
  // cap (a bare 413) is only a backstop above all of them; imports need more than its 128 MiB default.
  const maxRequestBodySize = 2 * Math.max(config.maxImportBytes, JSON_BODY_LIMIT);
  const app = createApp(services).listen({ hostname: config.host, port: config.port, maxRequestBodySize });
  const server = app.server;
  if (!server) throw new Error("the HTTP server did not start");
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port}`;
  services.node.listening(server.port ?? config.port);
  if (!namedEarly) await services.cluster.start();
  services.jobRunner.start();
  log(`deskreel listening on ${url} (data in ${config.dataDir})`);

  const demo = config.demo ? await startDemo(url, services, log) : null;
  return {
    url,
    port: server.port ?? config.port,
    services,
    routes: () => app.routes.map((r) => ({ method: r.method, path: r.path })),
    async stop() {
      demo?.abort();
      // End live sessions properly first (end events, final MP4s), then drop their sockets.
      await Promise.all([services.live.closeAll(), services.ssh.closeAll()]);
      await app.stop(true);
      await services.close();
    },
  };
}

async function startDemo(url: string, services: Services, log: (line: string) => void): Promise<AbortController> {
  const { runDemoAgent } = await import("../tools/demo/index.ts");
  const controller = new AbortController();
  const token = await services.auth.createToken(`demo-agent-${Date.now()}`, "agent");
  log("demo: a synthetic desktop session is starting (1920x1080, 10 minutes)");
  void runDemoAgent({
    server: url, token, desktop: "WIN-DEMO-01", user: "demo", login: "Administrator",
    width: 1920, height: 1080, durationS: 600, seed: Date.now() % 1000, realtime: true, signal: controller.signal,
  }).catch((err: unknown) => log(`demo: stopped: ${errorMessage(err)}`));
  return controller;
}
