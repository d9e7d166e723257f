// The data directory holds recordings, password hashes and keys: only the server's own user may read it.
// Folders are made 0700 and files 0600, whatever the umask; existing ones are tightened when opened.
import { chmodSync, existsSync, mkdirSync } from "node:fs";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) and makes it private. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Makes a SQLite database private, with its -wal and -shm files if they exist already (SQLite creates them
 * later with the database's mode, but opening in WAL mode may have made them under the umask first).
 */
export function makeDatabasePrivate(path: string): void {
  chmodSync(path, PRIVATE_FILE_MODE);
  for (const sidecar of [`${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (existsSync(sidecar)) chmodSync(sidecar, PRIVATE_FILE_MODE);
  }
}
