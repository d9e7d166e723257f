// A Teleport recording of a capture with its real timing, written by our own recorder: what an import
// receives from a Teleport cluster, without having to stream the session in real time first.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DesktopRecorder } from "../../src/recording/desktopRecorder.ts";
import { FileStore } from "../../src/storage/fileStore.ts";
import type { TdpcapRecord } from "../../src/tdp/tdpcap.ts";

/** `openedAt`: when the session started (default: just long enough ago for it to have ended now). */
export async function recordingOf(records: readonly TdpcapRecord[], sessionId: string, desktopName = "WIN-IMPORT", openedAt?: number): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), "deskreel-rec-"));
  try {
    const store = new FileStore(dir);
    const handle = await store.openAppend("r.tar");
    const lastMs = records.at(-1)?.delayMs ?? 0;
    openedAt ??= Date.now() - lastMs - 1000;
    const recorder = await DesktopRecorder.open({
      info: { sessionId, user: "imp", login: "Administrator", desktopName, desktopAddr: "", clusterName: "test" },
      handle, auditLog: { emit: () => undefined }, openedAt,
    });
    for (const r of records) void recorder.record(r.data, { at: openedAt + r.delayMs });
    await recorder.close({ at: openedAt + lastMs });
    const bytes = await store.get("r.tar");
    if (!bytes) throw new Error("the recorder wrote nothing");
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
