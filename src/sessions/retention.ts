// DESKREEL_RETENTION_DAYS: a background job that deletes finished recordings older than that (by their end),
// one batch at a time, oldest first. Never a live one (the catalog lists only finished ones, and a session
// this process still runs is skipped besides) and never one on legal hold (refused in the delete's own
// transaction, so a hold set at the same moment wins).
import { errorMessage } from "../errorMessage.ts";
import type { Catalog } from "../catalog/catalog.ts";
import type { RecordingRemoval } from "./recordingRemoval.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  /** Keep finished recordings this many days after they ended; null: forever (the job does nothing). */
  days: number | null;
  /** Between passes. */
  intervalMs: number;
  /** Recordings per batch. */
  batch: number;
}

export interface RetentionPass {
  deleted: string[];
  failed: number;
}

export class RetentionJob {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<RetentionPass> | null = null;
  #stopped = false;

  constructor(
    private readonly deps: {
      catalog: Catalog;
      removal: RecordingRemoval;
      /** Is this session being recorded by this process right now? */
      isLive: (id: string) => boolean;
      log: (line: string) => void;
      now?: () => number;
    },
    private readonly options: RetentionOptions,
  ) {}

  get enabled(): boolean {
    return this.options.days !== null;
  }

  /** Passes every intervalMs, the first soon after start; a pass never overlaps another. */
  start(firstDelayMs = 60_000): void {
    if (this.#stopped) return;
    const schedule = (delay: number) => {
      this.#timer = setTimeout(() => {
        void this.run().finally(() => {
          if (!this.#stopped) schedule(this.options.intervalMs);
        });
      }, delay);
      this.#timer.unref?.();
    };
    schedule(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** One pass now (or the one already running): half-done deletions first, then batches until none is old enough. */
  run(): Promise<RetentionPass> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #pass(): Promise<RetentionPass> {
    const { catalog, removal, log } = this.deps;
    const pass: RetentionPass = { deleted: [], failed: 0 };
    try {
      await removal.finishPending();
    } catch (err) {
      log(`retention: could not finish earlier deletions: ${errorMessage(err)}`);
    }
    if (this.options.days === null) return pass;
    const cutoff = (this.deps.now ?? Date.now)() - this.options.days * DAY_MS;
    const reason = `retention: ended more than ${this.options.days} days ago`;
    const skipped = new Set<string>();
    while (!this.#stopped) {
      let rows;
      try {
        rows = await catalog.listEndedBefore(cutoff, this.options.batch + skipped.size);
      } catch (err) {
        log(`retention: listing failed: ${errorMessage(err)}`);
        pass.failed++;
        break;
      }
      const batch = rows.filter((r) => !skipped.has(r.id)).slice(0, this.options.batch);
      if (batch.length === 0) break;
      for (const row of batch) {
        if (this.#stopped) break;
        if (this.deps.isLive(row.id)) {
          skipped.add(row.id);
          continue;
        }
        try {
          const result = await removal.remove(row.id, { by: "retention", via: "retention", reason });
          if (result.outcome === "deleted") pass.deleted.push(row.id);
          else skipped.add(row.id);
        } catch (err) {
          // Left for the next pass; this one goes on with the rest.
          skipped.add(row.id);
          pass.failed++;
          log(`retention: deleting ${row.id} failed: ${errorMessage(err)}`);
        }
      }
      // Give the event loop (live sessions) a turn between batches.
      await new Promise((r) => setTimeout(r, 0));
    }
    if (pass.deleted.length > 0 || pass.failed > 0) {
      log(`retention: deleted ${pass.deleted.length} recordings${pass.failed ? `, ${pass.failed} failed (retried next pass)` : ""}`);
    }
    return pass;
  }
}
