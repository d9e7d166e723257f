// What a live desktop and a live SSH session share: the recording clock, how a refused recording ends
// the session (sync mode), and how the recording is completed and catalogued when the session ends.
import type { Catalog } from "../catalog/catalog.ts";
import type { RecordingPatch } from "../catalog/types.ts";
import { type AuditWriterStats, RecordingRefusedError } from "../recording/auditWriter.ts";
import { PlaybackClock } from "../recording/playbackClock.ts";
import type { Evidence } from "../evidence/evidence.ts";
import { errorMessage } from "../errorMessage.ts";

export interface RecordedSessionDeps {
  catalog: Catalog;
  log: (line: string) => void;
  /** Chains the recording's parts while live and signs its manifest when it is finished. */
  evidence: Evidence;
}

export abstract class RecordedSession {
  protected readonly clock = new PlaybackClock();
  private refusal: string | null = null;
  private closing: Promise<void> | null = null;
  /** Catalog notes of storage trouble, one after another so they never overwrite a newer one. */
  private lossNotes: Promise<void> = Promise.resolve();
  /** Told when the session must end from our side (sync-mode refusal, too much bad input). */
  onFatal: (code: number, reason: string) => void = () => undefined;

  protected constructor(
    protected readonly base: RecordedSessionDeps,
    readonly sessionId: string,
  ) {}

  /** Recording time at wall time `at`: ms since the first recorded message (0 before any). */
  recordingTimeAt(at = Date.now()): number {
    return this.clock.at(at);
  }

  protected get isClosing(): boolean {
    return this.closing !== null;
  }

  /** The socket closed (or the server stops): end event, complete recording, catalogue, then `afterRecording`. */
  close(at = Date.now()): Promise<void> {
    this.closing ??= this.finish(at);
    return this.closing;
  }

  /** Write the end event and complete the recording (throws when it could not). */
  protected abstract completeRecording(at: number, participants: string[]): Promise<void>;

  /** The session has ended at `durationMs`: work that may run while the recording completes (the desktop's last frames). */
  protected recordingEnds(_durationMs: number): void {}

  /** Work after the recording is complete and listed (the desktop's final MP4). */
  protected async afterRecording(_durationMs: number): Promise<void> {}

  protected abstract get owner(): string;

  /** Events the recording does not hold: dropped (async), refused (sync) or never stored at close. */
  protected abstract lostEvents(): number;

  /** The writer's storage-state hook: the live row says at once that the recording has a gap. */
  protected readonly onStorageState = (state: "failing" | "recovered", stats: AuditWriterStats): void => {
    const lost = stats.lost + stats.refused;
    this.base.log(`session ${this.sessionId}: storage ${state === "failing" ? "is failing" : "recovered"}; ${lost} event(s) lost so far`);
    this.lossNotes = this.lossNotes
      .then(() => this.noteLoss(lost, state))
      .catch((err) => this.logError("catalog (lost events)", err));
  };

  /** meta.lostEvents (the API's lost_events) and meta.storage: the catalog's account of gaps. */
  private async noteLoss(lost: number, storage: "failing" | "recovered"): Promise<void> {
    const row = await this.base.catalog.getRecording(this.sessionId);
    if (row?.status !== "live") return;
    await this.base.catalog.updateRecording(this.sessionId, { meta: { ...row.meta, lostEvents: lost, storage } });
  }

  private async finish(at: number): Promise<void> {
    const { catalog, log } = this.base;
    const durationMs = this.recordingTimeAt(at);
    // A sync-mode refusal ends the session, but the recording still gets its end event: it is complete,
    // with the refusal as its error and the refused events counted as lost.
    let status: "complete" | "failed" = "complete";
    let error: string | null = this.refusal;
    this.recordingEnds(durationMs);
    try {
      const row = await catalog.getRecording(this.sessionId);
      await this.completeRecording(at, row?.participants ?? [this.owner]);
    } catch (err) {
      status = "failed";
      error = `recording did not complete: ${errorMessage(err)}`;
      log(`session ${this.sessionId}: ${error}`);
    }
    await this.lossNotes;
    const patch: RecordingPatch = { status, endMs: at, durationMs, error };
    const lost = this.lostEvents();
    if (lost > 0) {
      const row = await catalog.getRecording(this.sessionId);
      patch.meta = { ...row?.meta, lostEvents: lost, storage: status === "failed" ? "failing" : "recovered" };
      log(`session ${this.sessionId}: recording has gaps: ${lost} event(s) lost to storage trouble`);
    }
    await catalog.updateRecording(this.sessionId, patch);
    await this.afterRecording(durationMs);
    // Recording and video are final and listed: sign what is stored.
    await this.base.evidence.seal(this.sessionId);
  }

  /** A write to the recording failed: in sync mode the session ends rather than go on unrecorded. */
  protected onRecordFailed(err: unknown): void {
    if (err instanceof RecordingRefusedError) {
      if (this.refusal === null) {
        this.refusal = err.message;
        this.base.log(`session ${this.sessionId}: ${err.message}; ending the session (sync recording mode)`);
        this.onFatal(1011, "recording unavailable; session ended");
      }
      return;
    }
    this.logError("record", err);
  }

  protected logError(what: string, err: unknown): void {
    this.base.log(`session ${this.sessionId}: ${what}: ${errorMessage(err)}`);
  }
}
