// Everything the server can be told, read once from the environment with embedded defaults.
import { availableParallelism, hostname } from "node:os";
import { resolve } from "node:path";
import { checkAdminToken } from "./auth/validation.ts";
import { type OptionSpecs, type ParsedArgs, parseCommandLine, UsageError } from "./commandLine.ts";
import type { S3Config } from "./storage/openBlobStore.ts";
import { encoderPreference, type EncoderPreference } from "./video/encoder/preference.ts";

export type RecordingMode = "async" | "sync";

export type { S3Config };

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  cluster: string;
  /** A fixed admin bearer token, or null: then one is created under the data dir and printed once. */
  adminToken: string | null;
  /** postgres:// URL, or null for the embedded SQLite catalog. */
  databaseUrl: string | null;
  /** Object storage for recordings and video, or null for files under the data dir. */
  s3: S3Config | null;
  recordingMode: RecordingMode;
  /** Keep clipboard contents in recordings (default: a length-only marker). */
  keepClipboard: boolean;
  videoWorkers: number;
  maxFps: number;
  keyframeMs: number;
  /** Draw the RDP pointer into RDP-era videos where the client shows it. */
  videoPointer: boolean;
  /** Memory budget of the video path: decoded pixels per second per live session, live sessions per ingest principal. */
  maxPixelsPerSecond: number;
  maxSessionsPerAgent: number;
  /** H.264 backend: "auto" (WebCodecs where its native binding loads, else WASM), "webcodecs" or "wasm". */
  videoEncoder: EncoderPreference;
  /** Largest recording accepted by one import request (bytes). */
  maxImportBytes: number;
  /** Start a synthetic desktop session in-process (bun start --demo). */
  demo: boolean;
  /** The server's address as browsers see it (DESKREEL_PUBLIC_URL), or null; https turns on Secure cookies. */
  publicUrl: URL | null;
  /** A browser login ends after this long without requests... */
  sessionIdleSeconds: number;
  /** ...and after this long in any case. */
  sessionMaxSeconds: number;
  /** Password checks (argon2, ~64 MiB each) run at the same time; more wait in a short queue. */
  passwordChecks: number;
  /** DESKREEL_SIGNING_KEY: an Ed25519 private key (PEM, or a PEM file's path), or null: made in the data dir. */
  signingKey: string | null;
  /** DESKREEL_RETENTION_DAYS: finished recordings are deleted this many days after they ended; null keeps them forever. */
  retentionDays: number | null;
  /** This node's unique name in a cluster; null: `<hostname>:<port>` once the port is known. */
  nodeName: string | null;
  /** How other nodes reach this one (DESKREEL_ADVERTISE_URL); null: http://127.0.0.1:<port>. */
  advertiseUrl: string | null;
  /** Authenticates node-to-node requests (never a user credential); null: nodes refuse each other's calls. */
  clusterSecret: string | null;
  /** A node that has not renewed its lease for this long is dead; its sessions are taken over. */
  nodeLeaseSeconds: number;
}

export const MIN_CLUSTER_SECRET_LENGTH = 32;

/** The node name used when DESKREEL_NODE_NAME is not set. */
export function defaultNodeName(port: number): string {
  return `${hostname()}:${port}`;
}

function nodeNameEnv(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(raw)) {
    throw new Error(`DESKREEL_NODE_NAME=${raw}: expected 1-128 characters: letters, digits, '.', '_', ':', '@', '-'`);
  }
  return raw;
}

function advertiseUrlEnv(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`DESKREEL_ADVERTISE_URL=${raw}: expected an absolute URL such as http://10.0.0.7:8080`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`DESKREEL_ADVERTISE_URL=${raw}: expected http:// or https://`);
  if (url.username || url.password || url.search || url.hash) throw new Error(`DESKREEL_ADVERTISE_URL=${raw}: expected no credentials, query or fragment`);
  return url.href.replace(/\/$/, "");
}

function clusterSecretEnv(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (raw.length < MIN_CLUSTER_SECRET_LENGTH) {
    throw new Error(`DESKREEL_CLUSTER_SECRET is ${raw.length} characters; it must have at least ${MIN_CLUSTER_SECRET_LENGTH} (e.g. openssl rand -base64 33)`);
  }
  return raw;
}

/** DESKREEL_PUBLIC_URL: an http(s) origin, optionally with a path prefix (kept for links, ignored for origins). */
function publicUrlEnv(raw: string | undefined): URL | null {
  if (raw === undefined || raw === "") return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`DESKREEL_PUBLIC_URL=${raw}: expected an absolute URL such as https://deskreel.example.com`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`DESKREEL_PUBLIC_URL=${raw}: expected http:// or https://`);
  if (url.username || url.password || url.search || url.hash) throw new Error(`DESKREEL_PUBLIC_URL=${raw}: expected no credentials, query or fragment`);
  return url;
}

function intEnv(env: Record<string, string | undefined>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${raw}: expected an integer from ${min} to ${max}`);
  return n;
}

function boolEnv(env: Record<string, string | undefined>, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new Error(`${name}=${env[name]}: expected true or false`);
}

function sessionTimes(env: Record<string, string | undefined>): { sessionIdleSeconds: number; sessionMaxSeconds: number } {
  const sessionMaxSeconds = intEnv(env, "DESKREEL_SESSION_MAX_SECONDS", 24 * 60 * 60, 60, 90 * 24 * 60 * 60);
  const idle = intEnv(env, "DESKREEL_SESSION_IDLE_SECONDS", 12 * 60 * 60, 60, 90 * 24 * 60 * 60);
  return { sessionIdleSeconds: Math.min(idle, sessionMaxSeconds), sessionMaxSeconds };
}

/** Unset, empty, 0 or "forever": keep recordings forever. */
function retentionDaysEnv(env: Record<string, string | undefined>): number | null {
  const raw = env.DESKREEL_RETENTION_DAYS;
  if (raw === undefined || raw === "" || raw.toLowerCase() === "forever") return null;
  const days = intEnv(env, "DESKREEL_RETENTION_DAYS", 0, 0, 36_500);
  return days === 0 ? null : days;
}

/** The server's own flags; everything else is configured by environment variables (README, Configuration). */
const SERVER_OPTIONS: OptionSpecs = { demo: { type: "boolean" }, help: { type: "boolean", short: "h" } };

export const SERVER_USAGE = `usage: npm start -- [--demo]   (or bun start [--demo])
  --demo       also run a synthetic desktop session in this server (same as DESKREEL_DEMO=1)
  -h, --help   this help; all other settings are environment variables (see the README)`;

/** The server's command line; a UsageError for anything it does not take. */
export function parseServerArgs(argv: readonly string[]): ParsedArgs {
  const args = parseCommandLine(argv, SERVER_OPTIONS);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  return args;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, argv: readonly string[] = []): Config {
  const flags = parseServerArgs(argv);
  const mode = env.DESKREEL_RECORDING_MODE ?? "async";
  if (mode !== "async" && mode !== "sync") throw new Error(`DESKREEL_RECORDING_MODE=${mode}: expected async or sync`);
  const bucket = env.DESKREEL_S3_BUCKET;
  return {
    host: env.HOST || "127.0.0.1",
    port: intEnv(env, "PORT", 8080, 0, 65535),
    dataDir: resolve(env.DESKREEL_DATA || "./data"),
    cluster: env.DESKREEL_CLUSTER || "deskreel",
    adminToken: env.DESKREEL_ADMIN_TOKEN ? checkAdminToken(env.DESKREEL_ADMIN_TOKEN) : null,
    databaseUrl: env.DESKREEL_DATABASE_URL || null,
    s3: bucket
      ? {
          bucket,
          endpoint: env.DESKREEL_S3_ENDPOINT || undefined,
          region: env.DESKREEL_S3_REGION || undefined,
          accessKeyId: env.DESKREEL_S3_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID || undefined,
          secretAccessKey: env.DESKREEL_S3_SECRET_ACCESS_KEY || env.AWS_SECRET_ACCESS_KEY || undefined,
          pieceIntervalMs: intEnv(env, "DESKREEL_S3_PIECE_MS", 2000, 0, 5000),
        }
      : null,
    recordingMode: mode,
    keepClipboard: boolEnv(env, "DESKREEL_KEEP_CLIPBOARD", false),
    videoWorkers: intEnv(env, "DESKREEL_VIDEO_WORKERS", availableParallelism(), 1, 64),
    maxFps: intEnv(env, "DESKREEL_VIDEO_FPS", 10, 1, 30),
    keyframeMs: intEnv(env, "DESKREEL_KEYFRAME_MS", 3000, 500, 60000),
    videoPointer: boolEnv(env, "DESKREEL_VIDEO_POINTER", true),
    maxPixelsPerSecond: intEnv(env, "DESKREEL_MAX_PIXELS_PER_SECOND", 64_000_000, 1_000_000, 2_000_000_000),
    maxSessionsPerAgent: intEnv(env, "DESKREEL_MAX_SESSIONS_PER_AGENT", 100, 1, 100_000),
    videoEncoder: encoderPreference(env.DESKREEL_VIDEO_ENCODER),
    maxImportBytes: intEnv(env, "DESKREEL_MAX_IMPORT_BYTES", 2 * 1024 ** 3, 1024 ** 2, 64 * 1024 ** 3),
    demo: flags.flag("demo") || boolEnv(env, "DESKREEL_DEMO", false),
    publicUrl: publicUrlEnv(env.DESKREEL_PUBLIC_URL),
    ...sessionTimes(env),
    passwordChecks: intEnv(env, "DESKREEL_PASSWORD_CHECKS", 2, 1, 64),
    signingKey: env.DESKREEL_SIGNING_KEY || null,
    retentionDays: retentionDaysEnv(env),
    nodeName: nodeNameEnv(env.DESKREEL_NODE_NAME),
    advertiseUrl: advertiseUrlEnv(env.DESKREEL_ADVERTISE_URL),
    clusterSecret: clusterSecretEnv(env.DESKREEL_CLUSTER_SECRET),
    nodeLeaseSeconds: intEnv(env, "DESKREEL_NODE_LEASE_SECONDS", 15, 3, 600),
  };
}
