// Deleting a finished recording: its catalog row (with markers) and every stored object of it, audited as
// `recording.delete` with who or what deleted it and why. Used by retention and by an admin's DELETE.
//
// Order, so that a crash at any point leaves nothing behind and never loses a held recording:
//   1. a tombstone `removals/<id>.json` is written (what is being deleted, by whom);
//   2. the catalog row goes, in one transaction with the hold/live check (refused → tombstone dropped);
//   3. the objects under the session's prefixes are deleted;
//   4. the audit event is written and the tombstone dropped.
// finishPending() completes whatever tombstones a crash or a storage failure left (at start and on every
// retention pass).
import type { Catalog } from "../catalog/catalog.ts";
import type { DeleteOutcome } from "../catalog/types.ts";
import { errorMessage } from "../errorMessage.ts";
import { formatRfc3339 } from "../recording/auditJson.ts";
import type { AuditLog } from "../recording/tee.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { isValidSessionId, sessionObjectPrefixes } from "../storage/sessionKeys.ts";

/** Deskreel's own events (Teleport has none for these); codes in the DR range like token.create. */
export const RECORDING_EVENTS = {
  delete: { event: "recording.delete", code: "DR2001I" },
  hold: { event: "recording.hold", code: "DR2002I" },
  release: { event: "recording.release", code: "DR2003I" },
} as const;

/** One audit event about a recording; `user` is who acted. */
export function recordingEvent(kind: keyof typeof RECORDING_EVENTS, sid: string, user: string, nowMs: number, fields: Record<string, unknown>) {
  return { ei: 0, ...RECORDING_EVENTS[kind], time: formatRfc3339(new Date(nowMs)), uid: crypto.randomUUID(), sid, user, ...fields };
}

const TOMBSTONES = "removals/";

export interface Deleter {
  /** "retention", or the admin's name. */
  by: string;
  /** "retention" for the background job, "admin" for a deletion by hand. */
  via: "retention" | "admin";
  reason: string;
}

export interface RemovalResult {
  outcome: DeleteOutcome;
  /** Objects deleted from the blob store (when deleted). */
  objects: number;
  bytes: number;
}

interface Tombstone extends Deleter {
  id: string;
  atMs: number;
}

export interface RemovalDeps {
  catalog: Catalog;
  store: BlobStore;
  auditLog: AuditLog;
  log: (line: string) => void;
  now?: () => number;
}

export class RecordingRemoval {
  readonly #now: () => number;
  /** Ids being deleted by this process right now: finishPending leaves their tombstones alone. */
  readonly #busy = new Set<string>();

  constructor(private readonly deps: RemovalDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** Deletes one recording unless it is held or live (the outcome says so; nothing is touched then). */
  async remove(id: string, deleter: Deleter): Promise<RemovalResult> {
    if (!isValidSessionId(id)) return { outcome: "missing", objects: 0, bytes: 0 };
    if (this.#busy.has(id)) return { outcome: "missing", objects: 0, bytes: 0 };
    this.#busy.add(id);
    try {
      return await this.#remove(id, deleter);
    } finally {
      this.#busy.delete(id);
    }
  }

  async #remove(id: string, deleter: Deleter): Promise<RemovalResult> {
    const tombstone: Tombstone = { id, ...deleter, atMs: this.#now() };
    const tombstoneKey = `${TOMBSTONES}${id}.json`;
    await this.deps.store.put(tombstoneKey, new TextEncoder().encode(JSON.stringify(tombstone)));
    let outcome: DeleteOutcome;
    try {
      outcome = await this.deps.catalog.deleteRecording(id);
    } catch (err) {
      await this.deps.store.delete(tombstoneKey).catch(() => undefined);
      throw err;
    }
    if (outcome !== "deleted") {
      await this.deps.store.delete(tombstoneKey);
      return { outcome, objects: 0, bytes: 0 };
    }
    return { outcome, ...(await this.#finish(tombstone, tombstoneKey)) };
  }

  /**
   * Completes deletions left half-done (the row is gone but objects or the audit event are not). A tombstone
   * whose recording is still in the catalog is a deletion that never happened (refused, or a crash before
   * step 2): it is dropped and the recording kept. Returns how many were completed.
   */
  async finishPending(): Promise<number> {
    let done = 0;
    for (const key of await this.deps.store.list(TOMBSTONES)) {
      try {
        const tombstone = JSON.parse(new TextDecoder().decode((await this.deps.store.get(key)) ?? new Uint8Array())) as Tombstone;
        if (!isValidSessionId(tombstone.id)) throw new Error(`tombstone ${key} names no valid session id`);
        if (this.#busy.has(tombstone.id)) continue;
        if (await this.deps.catalog.getRecording(tombstone.id)) {
          await this.deps.store.delete(key);
          continue;
        }
        await this.#finish(tombstone, key);
        done++;
      } catch (err) {
        this.deps.log(`recording deletion ${key}: still not complete: ${errorMessage(err)}`);
      }
    }
    return done;
  }

  async #finish(tombstone: Tombstone, tombstoneKey: string): Promise<{ objects: number; bytes: number }> {
    const { store } = this.deps;
    let objects = 0;
    let bytes = 0;
    for (const prefix of sessionObjectPrefixes(tombstone.id)) {
      for (const key of await store.list(prefix)) {
        bytes += (await store.size(key)) ?? 0;
        await store.delete(key);
        objects++;
      }
    }
    await this.deps.auditLog.emit(
      recordingEvent("delete", tombstone.id, tombstone.by, this.#now(), { deleted_by: tombstone.via, reason: tombstone.reason, objects, bytes }),
    );
    await store.delete(tombstoneKey);
    this.deps.log(`recording ${tombstone.id} deleted by ${tombstone.via === "retention" ? "retention" : tombstone.by}: ${tombstone.reason} (${objects} objects, ${bytes} bytes)`);
    return { objects, bytes };
  }
}
