// Sessions cut off by a crash (this node's, at its start) or by a dead node (taken over by a surviving one):
// each is listed as interrupted, its recording read up to the last complete part, and its fragmented MP4
// turned into a standard MP4 up to the last complete fragment. At start this runs before any new session is
// accepted.
import { scanRecording } from "../recording/scan.ts";
import type { Catalog } from "../catalog/catalog.ts";
import type { Evidence } from "../evidence/evidence.ts";
import type { RecordingPatch, RecordingRow } from "../catalog/types.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { LiveVideo } from "../video/liveVideo.ts";
import { blobKeys } from "../storage/sessionKeys.ts";
import { errorMessage } from "../errorMessage.ts";

export interface RecoveryDeps {
  catalog: Catalog;
  store: BlobStore;
  log: (line: string) => void;
  evidence: Evidence;
}

export const RESTART_REASON = "the server stopped while the session was live";

/** How long the recording shows the session lasted, and when it ended (null: nothing readable). */
async function recordedSpan(deps: RecoveryDeps, row: RecordingRow): Promise<{ durationMs: number; endMs: number } | null> {
  const key = blobKeys(row.id).recording;
  await deps.store.recoverAppend(key); // S3: from this node's spool, or the bucket's parts and pieces
  const bytes = await deps.store.get(key);
  if (!bytes) return null;
  const scan = await scanRecording(bytes);
  const durationMs = Math.max(row.durationMs, scan.durationMs);
  const lastMs = scan.lastTime?.getTime() ?? row.startMs + durationMs;
  return { durationMs, endMs: Math.max(lastMs, row.startMs + durationMs) };
}

async function recoverVideo(deps: RecoveryDeps, row: RecordingRow, durationMs: number): Promise<RecordingPatch> {
  const keys = blobKeys(row.id);
  try {
    await deps.store.recoverAppend(keys.liveVideo);
    // A half-written final file (made whole first, so no piece of it stays behind) is written again.
    if (await deps.store.recoverAppend(keys.video)) await deps.store.delete(keys.video);
    const result = await LiveVideo.recoverFromLiveFile(deps.store, keys.liveVideo, keys.video, durationMs);
    return { videoState: "ready", videoDurationMs: durationMs, videoBytes: result.bytes };
  } catch (err) {
    deps.log(`recovery ${row.id}: video not recovered: ${errorMessage(err)}`);
    return { videoState: "failed" };
  }
}

/**
 * Recovers one live session that nobody records any more and marks it interrupted (`reason` unless it has an
 * error already). Whatever cannot be read is logged; the session is marked all the same.
 */
export async function recoverSession(deps: RecoveryDeps, row: RecordingRow, reason: string): Promise<RecordingRow | null> {
  let durationMs = row.durationMs;
  let endMs = row.startMs + row.durationMs;
  try {
    const span = await recordedSpan(deps, row);
    if (span) ({ durationMs, endMs } = span);
  } catch (err) {
    deps.log(`recovery ${row.id}: recording not readable: ${String(err)}`);
  }
  const video = row.kind === "desktop" ? await recoverVideo(deps, row, durationMs) : {};
  const recovered = await deps.catalog.updateRecording(row.id, {
    ...video, status: "interrupted", durationMs, endMs, error: row.error ?? reason,
  });
  // Sealed as the crash left it: the chain proves the parts stored before it, the manifest what was recovered.
  await deps.evidence.seal(row.id);
  deps.log(`recovered interrupted session ${row.id} (${Math.round(durationMs / 1000)} s)`);
  return recovered;
}

/**
 * At start: recovers the live sessions a previous process of this node left behind. With `owner`, only those
 * it recorded (and rows with no owner, from before nodes had names); without, every live session (the
 * embedded SQLite catalog belongs to one node). Returns their ids.
 */
export async function recoverInterrupted(deps: RecoveryDeps, owner?: string): Promise<string[]> {
  const rows = owner === undefined
    ? await deps.catalog.listLiveRecordings()
    : [...(await deps.catalog.listLiveRecordings(owner)), ...(await deps.catalog.listLiveRecordings(null))];
  for (const row of rows) await recoverSession(deps, row, RESTART_REASON);
  return rows.map((r) => r.id);
}
