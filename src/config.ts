// Everything the server can be told, read once from the environment with embedded defaults.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";

export type RecordingMode = "async" | "sync";

export interface S3Config {
  bucket: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

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
  /** Memory budget of the video path: decoded pixels per second per live session, live sessions per ingest principal. */
  maxPixelsPerSecond: number;
  maxSessionsPerAgent: number;
  /** Start a synthetic desktop session in-process (bun start --demo). */
  demo: boolean;
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

export function loadConfig(env: Record<string, string | undefined> = process.env, argv: string[] = []): Config {
  const mode = env.DESKREEL_RECORDING_MODE ?? "async";
  if (mode !== "async" && mode !== "sync") throw new Error(`DESKREEL_RECORDING_MODE=${mode}: expected async or sync`);
  const bucket = env.DESKREEL_S3_BUCKET;
  return {
    host: env.HOST || "127.0.0.1",
    port: intEnv(env, "PORT", 8080, 0, 65535),
    dataDir: resolve(env.DESKREEL_DATA || "./data"),
    cluster: env.DESKREEL_CLUSTER || "deskreel",
    adminToken: env.DESKREEL_ADMIN_TOKEN || null,
    databaseUrl: env.DESKREEL_DATABASE_URL || null,
    s3: bucket
      ? {
          bucket,
          endpoint: env.DESKREEL_S3_ENDPOINT || undefined,
          region: env.DESKREEL_S3_REGION || undefined,
          accessKeyId: env.DESKREEL_S3_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID || undefined,
          secretAccessKey: env.DESKREEL_S3_SECRET_ACCESS_KEY || env.AWS_SECRET_ACCESS_KEY || undefined,
        }
      : null,
    recordingMode: mode,
    keepClipboard: boolEnv(env, "DESKREEL_KEEP_CLIPBOARD", false),
    videoWorkers: intEnv(env, "DESKREEL_VIDEO_WORKERS", availableParallelism(), 1, 64),
    maxFps: intEnv(env, "DESKREEL_VIDEO_FPS", 10, 1, 30),
    keyframeMs: intEnv(env, "DESKREEL_KEYFRAME_MS", 3000, 500, 60000),
    maxPixelsPerSecond: intEnv(env, "DESKREEL_MAX_PIXELS_PER_SECOND", 64_000_000, 1_000_000, 2_000_000_000),
    maxSessionsPerAgent: intEnv(env, "DESKREEL_MAX_SESSIONS_PER_AGENT", 100, 1, 100_000),
    demo: argv.includes("--demo") || boolEnv(env, "DESKREEL_DEMO", false),
  };
}
