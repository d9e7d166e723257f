// A real FileStore in a fresh temporary directory.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore } from "../../../src/storage/fileStore.ts";

export interface TempStore {
  store: FileStore;
  dir: string;
  cleanup(): Promise<void>;
}

export async function tempFileStore(): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), "deskreel-video-"));
  const store = new FileStore(join(dir, "store"));
  return { store, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
