// After a crash: sessions the previous process left live are listed as interrupted, their recordings read
// up to the last complete part, and their fragmented MP4 turned into a standard MP4 up to the last
// complete fragment. Runs at startup, before any new session is accepted.
import { scanRecording } from "../recording/scan.ts";
import type { Catalog } from "../catalog/catalog.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { LiveVideo } from "../video/liveVideo.ts";
import { blobKeys } from "./blobKeys.ts";

export interface RecoveryDeps {
  catalog: Catalog;
  store: BlobStore;
  log: (line: string) => void;
}

export async function recoverInterrupted(services: RecoveryDeps): Promise<string[]> {
  const { catalog, store, log } = services;
  const ids = await catalog.interruptLiveRecordings("the server stopped while the session was live");
  for (const id of ids) {
    const keys = blobKeys(id);
    const row = await catalog.getRecording(id);
    if (!row) continue;
    let durationMs = row.durationMs;
    try {
      await store.recoverAppend(keys.recording); // S3: from the spool, or the bucket's parts and pieces
      const bytes = await store.get(keys.recording);
      if (bytes) {
        const scan = await scanRecording(bytes);
        durationMs = Math.max(durationMs, scan.durationMs);
        const lastMs = scan.lastTime?.getTime() ?? row.startMs + durationMs;
        await catalog.updateRecording(id, { durationMs, endMs: Math.max(lastMs, row.startMs + durationMs) });
      }
    } catch (err) {
      log(`recovery ${id}: recording not readable: ${String(err)}`);
    }
    if (row.kind !== "desktop") {
      log(`recovered interrupted session ${id} (${Math.round(durationMs / 1000)} s)`);
      continue;
    }
    try {
      await store.recoverAppend(keys.liveVideo);
      // A half-written final file (made whole first, so no piece of it is left behind) is written again.
      if (await store.recoverAppend(keys.video)) await store.delete(keys.video);
      const result = await LiveVideo.recoverFromLiveFile(store, keys.liveVideo, keys.video, durationMs);
      await catalog.updateRecording(id, { videoState: "ready", videoDurationMs: durationMs, videoBytes: result.bytes });
    } catch (err) {
      await catalog.updateRecording(id, { videoState: "failed" });
      log(`recovery ${id}: video not recovered: ${err instanceof Error ? err.message : String(err)}`);
    }
    log(`recovered interrupted session ${id} (${Math.round(durationMs / 1000)} s)`);
  }
  return ids;
}
