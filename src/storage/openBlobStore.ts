// Picks the blob store the configuration asks for: files under the data dir, or an S3 bucket.
import { join } from "node:path";
import type { BlobStore } from "./blobStore.ts";
import { FileStore } from "./fileStore.ts";
import { S3Store } from "./s3Store.ts";

/** The S3 part of the configuration (config.ts reads it from the environment). */
export interface S3Config {
  bucket: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Live objects reach the bucket as pieces at least this often (bounded loss); 0: 5 MiB parts only. */
  pieceIntervalMs?: number;
}

export interface BlobStoreLocation {
  dataDir: string;
  s3: S3Config | null;
  log?: (line: string) => void;
}

/** Files live in <dataDir>/blobs; with S3, live objects are spooled in <dataDir>/spool. */
export function openBlobStore(location: BlobStoreLocation): BlobStore {
  if (location.s3 === null) return new FileStore(join(location.dataDir, "blobs"));
  const { bucket, endpoint, region, accessKeyId, secretAccessKey, pieceIntervalMs } = location.s3;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(`S3 bucket ${bucket}: set DESKREEL_S3_ACCESS_KEY_ID and DESKREEL_S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)`);
  }
  return new S3Store({
    bucket,
    endpoint,
    region: region ?? "us-east-1",
    accessKeyId,
    secretAccessKey,
    sessionToken: process.env.AWS_SESSION_TOKEN || undefined,
    spoolDir: join(location.dataDir, "spool"),
    pieceIntervalMs,
    log: location.log,
  });
}
