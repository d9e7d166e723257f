// The session catalog: which recordings exist, what they are, their in-session markers, and the main
// audit log. Storage of the recording bytes is elsewhere (src/storage); this only indexes them.
import type {
  AuditEvent,
  DeleteOutcome,
  LegalHold,
  AuditFilter,
  Marker,
  NewRecording,
  RecordingFilter,
  RecordingPage,
  RecordingPatch,
  RecordingRow,
} from "./types.ts";

export interface Catalog {
  /** Adds a recording; fails (CatalogError) when the id exists. The owner is always a participant. */
  createRecording(recording: NewRecording): Promise<RecordingRow>;
  /** Adds many recordings in one transaction (imports, migrations). */
  createRecordings(recordings: NewRecording[]): Promise<void>;
  /** Changes the given fields only; null when there is no such recording. */
  updateRecording(id: string, patch: RecordingPatch): Promise<RecordingRow | null>;
  getRecording(id: string): Promise<RecordingRow | null>;
  /**
   * One page at a time, newest first (by start, then id) unless filter.sort/order say otherwise. Sorting by
   * duration uses the stored duration, which is 0 for a live session until it ends.
   */
  listRecordings(filter: RecordingFilter): Promise<RecordingPage>;
  /**
   * Removes a finished recording with its markers, in one step with the checks: never one on legal hold or
   * still live (the outcome says which). Its stored objects are the caller's (sessions/recordingRemoval).
   */
  deleteRecording(id: string): Promise<DeleteOutcome>;
  /** Finished recordings not on legal hold that ended before `beforeMs`, oldest first (for retention). */
  listEndedBefore(beforeMs: number, limit: number): Promise<RecordingRow[]>;
  /** Puts a recording on legal hold (a hold) or releases it (null); null when there is no such recording. */
  setLegalHold(id: string, hold: LegalHold | null): Promise<RecordingRow | null>;

  /** Adds a user who joined the session (idempotent). */
  addParticipant(id: string, user: string): Promise<void>;
  /** Appends a marker and bumps the recording's count for its kind. */
  addMarker(id: string, marker: Marker): Promise<void>;
  /** Markers in time order (ties in the order they were added). */
  listMarkers(id: string): Promise<Marker[]>;

  /**
   * Recordings still marked live; with `owner`, only those recorded by that cluster node (a null owner: rows
   * without one, from before nodes had names).
   */
  listLiveRecordings(owner?: string | null): Promise<RecordingRow[]>;
  /**
   * Crash recovery, at startup: every recording still live was cut off by the previous process.
   * Marks them interrupted with end = start + the last recorded duration; returns their ids.
   */
  interruptLiveRecordings(reason: string): Promise<string[]>;

  appendAuditEvent(event: AuditEvent): Promise<void>;
  /** Newest first. */
  listAuditEvents(filter: AuditFilter): Promise<AuditEvent[]>;

  close(): Promise<void>;
}

export class CatalogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CatalogError";
  }
}

/** createRecording of an id the catalog already lists: the insert itself is the check, so two writers cannot both win. */
export class RecordingExistsError extends CatalogError {
  constructor(readonly id: string, options?: { cause?: unknown }) {
    super(`recording ${id} already exists`, options);
    this.name = "RecordingExistsError";
  }
}
