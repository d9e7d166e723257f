// Starts a throw-away PostgreSQL server (initdb + postgres) on a free loopback port for the catalog
// tests. Debian: `apt-get install -y postgresql` provides the binaries. As root the server runs as
// the `postgres` user, since PostgreSQL refuses to run as root.
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export const POSTGRES_INSTALL_HINT = "apt-get install -y postgresql";

export interface PgTestServer {
  url: string;
  stop(): Promise<void>;
}

/** The directory holding initdb and postgres, or null when PostgreSQL is not installed. */
export function postgresBinDir(): string | null {
  const initdb = Bun.which("initdb");
  if (initdb && existsSync(join(realpathSync(initdb), "..", "pg_isready"))) return join(realpathSync(initdb), "..");
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(base, version, "bin");
    if (existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) return dir;
  }
  return null;
}

async function freeLoopbackPort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

// setpriv execs the server in place (no wrapper process), so signals reach postgres itself.
function asServiceUser(argv: string[]): string[] {
  return userInfo().uid === 0 ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", ...argv] : argv;
}

async function ownedByServiceUser(dir: string): Promise<void> {
  if (userInfo().uid !== 0) return;
  const ids = Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim();
  const gid = Bun.spawnSync(["id", "-g", "postgres"]).stdout.toString().trim();
  if (!ids) throw new Error("running as root but there is no postgres user to run PostgreSQL as");
  await chown(dir, Number(ids), Number(gid));
}

export async function startPostgres(): Promise<PgTestServer> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error(`PostgreSQL is not installed; install it with: ${POSTGRES_INSTALL_HINT}`);
  const root = await mkdtemp(join(tmpdir(), "deskreel-pg-"));
  await ownedByServiceUser(root);
  const data = join(root, "data");
  const env = { ...process.env, HOME: root };
  const init = Bun.spawnSync(asServiceUser([join(bin, "initdb"), "-D", data, "-U", "deskreel", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]), { env, cwd: root });
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr.toString().slice(-500)}`);
  const port = await freeLoopbackPort();
  const proc = Bun.spawn(
    asServiceUser([join(bin, "postgres"), "-D", data, "-p", String(port), "-k", root, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    { stdout: "ignore", stderr: "pipe", env, cwd: root },
  );
  const url = `postgres://deskreel@127.0.0.1:${port}/postgres`;
  const until = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await rm(root, { recursive: true, force: true });
      throw new Error(`postgres exited with code ${proc.exitCode}: ${(await new Response(proc.stderr).text()).slice(-500)}`);
    }
    const ready = Bun.spawnSync([join(bin, "pg_isready"), "-h", "127.0.0.1", "-p", String(port)]);
    if (ready.exitCode === 0) break;
    if (Date.now() > until) {
      proc.kill();
      await proc.exited;
      await rm(root, { recursive: true, force: true });
      throw new Error(`postgres did not accept connections on port ${port} within 20 s`);
    }
    await Bun.sleep(100);
  }
  return {
    url,
    async stop() {
      proc.kill("SIGINT"); // fast shutdown
      await proc.exited;
      await rm(root, { recursive: true, force: true });
    },
  };
}
