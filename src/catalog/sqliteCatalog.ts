// The embedded catalog: one SQLite file in WAL mode (readers never wait for the recorder's writes),
// prepared statements, and an FTS5 trigram index for free-text search.
import { Database, type SQLQueryBindings, type Statement } from "bun:sqlite";
import { type Catalog, CatalogError, RecordingExistsError } from "./catalog.ts";
import { type SqlDialect, buildListQuery, likePattern, pageOf } from "./listQuery.ts";
import { auditLimit, auditTimeMs, checkMarker, deleteRefusal, newRecordingRow, participantsWithOwner, patchedRow } from "./normalize.ts";
import { type ColumnValue, RECORDING_COLUMNS, legalHoldColumn, recordingValues, rowFromRecord } from "./rowCodec.ts";
import { migrateSqlite } from "./sqliteSchema.ts";
import {
  type AuditEvent,
  type AuditFilter,
  type DeleteOutcome,
  type LegalHold,
  type Marker,
  type MarkerKind,
  type NewRecording,
  type RecordingFilter,
  type RecordingPage,
  type RecordingPatch,
  type RecordingRow,
  countedAs,
} from "./types.ts";

/** Trigram FTS needs three characters; shorter text falls back to a LIKE scan. */
export const sqliteDialect: SqlDialect = {
  placeholder: () => "?",
  bytewise: (expr) => expr, // BINARY is SQLite's default collation
  least: (a, b) => `MIN(${a}, ${b})`,
  textMatch(q, bind) {
    if (q.length >= 3) {
      return `r.seq IN (SELECT rowid FROM recordings_fts WHERE recordings_fts MATCH ${bind(`"${q.replace(/"/g, '""')}"`)})`;
    }
    return `r.search_text LIKE ${bind(likePattern(q))} ESCAPE '\\'`;
  },
};

const UPDATABLE = RECORDING_COLUMNS.filter((c) => c !== "id" && !c.endsWith("_count"));
type Row = Record<string, unknown>;

export class SqliteCatalog implements Catalog {
  readonly #db: Database;
  readonly #insert: Statement<Row, ColumnValue[]>;
  readonly #update: Statement<Row, ColumnValue[]>;
  readonly #byId: Statement<Row, [string]>;
  readonly #addParticipant: Statement<Row, [string, string]>;
  readonly #clearParticipants: Statement<Row, [string]>;

  /** `path` is a file (created if missing) or ":memory:". */
  constructor(path: string) {
    this.#db = new Database(path, { create: true, strict: true });
    this.#db.exec("PRAGMA journal_mode = WAL");
    // WAL + NORMAL: a power loss may lose the last transactions but never corrupts the file.
    this.#db.exec("PRAGMA synchronous = NORMAL");
    this.#db.exec("PRAGMA foreign_keys = ON");
    this.#db.exec("PRAGMA busy_timeout = 5000");
    this.#db.exec("PRAGMA cache_size = -32768"); // 32 MiB: keeps the list indexes and FTS pages hot
    migrateSqlite(this.#db);
    this.#insert = this.#db.prepare(
      `INSERT INTO recordings (${RECORDING_COLUMNS.join(", ")}) VALUES (${RECORDING_COLUMNS.map(() => "?").join(", ")})`,
    );
    this.#update = this.#db.prepare(`UPDATE recordings SET ${UPDATABLE.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`);
    this.#byId = this.#db.prepare("SELECT * FROM recordings WHERE id = ?");
    this.#addParticipant = this.#db.prepare("INSERT OR IGNORE INTO recording_participants (user_name, recording_id) VALUES (?, ?)");
    this.#clearParticipants = this.#db.prepare("DELETE FROM recording_participants WHERE recording_id = ?");
  }

  #insertRow(row: RecordingRow): void {
    try {
      this.#insert.run(...recordingValues(row));
    } catch (err) {
      if (err instanceof Error && /UNIQUE constraint failed: recordings\.id/.test(err.message)) {
        throw new RecordingExistsError(row.id, { cause: err });
      }
      throw err;
    }
    for (const user of row.participants) this.#addParticipant.run(user, row.id);
  }

  #get(id: string): RecordingRow | null {
    const record = this.#byId.get(id);
    return record ? rowFromRecord(record) : null;
  }

  async createRecording(recording: NewRecording): Promise<RecordingRow> {
    const row = newRecordingRow(recording);
    this.#db.transaction(() => this.#insertRow(row))();
    return row;
  }

  async createRecordings(recordings: NewRecording[]): Promise<void> {
    const rows = recordings.map(newRecordingRow);
    this.#db.transaction(() => {
      for (const row of rows) this.#insertRow(row);
    })();
  }

  async updateRecording(id: string, patch: RecordingPatch): Promise<RecordingRow | null> {
    return this.#db.transaction(() => {
      const current = this.#get(id);
      if (current === null) return null;
      const next = patchedRow(current, patch);
      const values = recordingValues(next);
      this.#update.run(...UPDATABLE.map((c) => values[RECORDING_COLUMNS.indexOf(c)]), id);
      if (patch.participants !== undefined) {
        this.#clearParticipants.run(id);
        for (const user of next.participants) this.#addParticipant.run(user, id);
      }
      return next;
    }).immediate();
  }

  async getRecording(id: string): Promise<RecordingRow | null> {
    return this.#get(id);
  }

  async listRecordings(filter: RecordingFilter): Promise<RecordingPage> {
    const query = buildListQuery(filter, sqliteDialect);
    const records = this.#db.query<Row, SQLQueryBindings[]>(query.sql).all(...query.params);
    return pageOf(query, records.map(rowFromRecord));
  }

  async deleteRecording(id: string): Promise<DeleteOutcome> {
    return this.#db.transaction((): DeleteOutcome => {
      const current = this.#get(id);
      const refused = deleteRefusal(current);
      if (refused) return refused;
      this.#db.query("DELETE FROM recordings WHERE id = ?").run(id);
      return "deleted";
    }).immediate();
  }

  async listEndedBefore(beforeMs: number, limit: number): Promise<RecordingRow[]> {
    return this.#db
      .query<Row, [number, number]>(
        "SELECT * FROM recordings WHERE end_ms IS NOT NULL AND end_ms < ? AND status != 'live' AND legal_hold IS NULL ORDER BY end_ms, id LIMIT ?",
      )
      .all(beforeMs, limit)
      .map(rowFromRecord);
  }

  async setLegalHold(id: string, hold: LegalHold | null): Promise<RecordingRow | null> {
    return this.#db.transaction(() => {
      if (this.#db.query("UPDATE recordings SET legal_hold = ? WHERE id = ?").run(legalHoldColumn(hold), id).changes === 0) return null;
      return this.#get(id);
    }).immediate();
  }

  async addParticipant(id: string, user: string): Promise<void> {
    this.#db.transaction(() => {
      const current = this.#get(id);
      if (current === null) throw new CatalogError(`cannot add participant ${user}: recording ${id} does not exist`);
      if (current.participants.includes(user)) return;
      const participants = participantsWithOwner(current.user, [...current.participants, user]);
      this.#db.query("UPDATE recordings SET participants = ? WHERE id = ?").run(JSON.stringify(participants), id);
      this.#addParticipant.run(user, id);
    }).immediate();
  }

  async addMarker(id: string, marker: Marker): Promise<void> {
    checkMarker(id, marker);
    const column = `${countedAs(marker.kind)}_count`;
    this.#db.transaction(() => {
      const bumped = this.#db.query(`UPDATE recordings SET ${column} = ${column} + 1 WHERE id = ?`).run(id);
      if (bumped.changes === 0) throw new CatalogError(`cannot add ${marker.kind} marker: recording ${id} does not exist`);
      this.#db
        .query("INSERT INTO markers (recording_id, t_ms, kind, detail) VALUES (?, ?, ?, ?)")
        .run(id, marker.tMs, marker.kind, marker.detail);
    }).immediate();
  }

  async listMarkers(id: string): Promise<Marker[]> {
    return this.#db
      .query<{ t_ms: number; kind: MarkerKind; detail: string }, [string]>(
        "SELECT t_ms, kind, detail FROM markers WHERE recording_id = ? ORDER BY t_ms, seq",
      )
      .all(id)
      .map((m) => ({ tMs: m.t_ms, kind: m.kind, detail: m.detail }));
  }

  async listLiveRecordings(owner?: string | null): Promise<RecordingRow[]> {
    if (owner === undefined) {
      return this.#db.query<Row, []>("SELECT * FROM recordings WHERE status = 'live' ORDER BY start_ms DESC, id DESC").all().map(rowFromRecord);
    }
    return this.#db
      .query<Row, [string | null]>("SELECT * FROM recordings WHERE status = 'live' AND owner_node IS ? ORDER BY start_ms DESC, id DESC")
      .all(owner)
      .map(rowFromRecord);
  }

  async interruptLiveRecordings(reason: string): Promise<string[]> {
    return this.#db
      .query<{ id: string }, [string]>(
        `UPDATE recordings SET status = 'interrupted', end_ms = start_ms + duration_ms, error = COALESCE(error, ?)
         WHERE status = 'live' RETURNING id`,
      )
      .all(reason)
      .map((r) => r.id);
  }

  async appendAuditEvent(event: AuditEvent): Promise<void> {
    const timeMs = auditTimeMs(event);
    this.#db
      .query("INSERT INTO audit_events (time_ms, event, sid, user_name, body) VALUES (?, ?, ?, ?, ?)")
      .run(timeMs, event.event, typeof event.sid === "string" ? event.sid : null, typeof event.user === "string" ? event.user : null, JSON.stringify(event));
  }

  async listAuditEvents(filter: AuditFilter): Promise<AuditEvent[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.type !== undefined) (where.push("event = ?"), params.push(filter.type));
    if (filter.sid !== undefined) (where.push("sid = ?"), params.push(filter.sid));
    if (filter.fromMs !== undefined) (where.push("time_ms >= ?"), params.push(filter.fromMs));
    if (filter.toMs !== undefined) (where.push("time_ms <= ?"), params.push(filter.toMs));
    params.push(auditLimit(filter.limit));
    const sql = `SELECT body FROM audit_events${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY time_ms DESC, seq DESC LIMIT ?`;
    return this.#db
      .query<{ body: string }, SQLQueryBindings[]>(sql)
      .all(...params)
      .map((r) => JSON.parse(r.body) as AuditEvent);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
