// The catalog on PostgreSQL (Bun.sql), for deployments that run several servers on one catalog.
// Same schema, same list SQL (listQuery.ts) and same checks (normalize.ts) as the SQLite catalog.
import { SQL } from "bun";
import { type Catalog, CatalogError, RecordingExistsError } from "./catalog.ts";
import { type SqlDialect, buildListQuery, likePattern, pageOf } from "./listQuery.ts";
import { auditLimit, auditTimeMs, checkMarker, deleteRefusal, newRecordingRow, participantsWithOwner, patchedRow } from "./normalize.ts";
import { migratePostgres } from "./postgresSchema.ts";
import { RECORDING_COLUMNS, legalHoldColumn, recordingValues, rowFromRecord } from "./rowCodec.ts";
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

export const postgresDialect: SqlDialect = {
  placeholder: (n) => `$${n}`,
  // The database's locale collation would order differently from SQLite and from the cursor's bytes.
  bytewise: (expr) => `(${expr}) COLLATE "C"`,
  least: (a, b) => `LEAST(${a}, ${b})`,
  textMatch: (q, bind) => `r.search_text LIKE ${bind(likePattern(q))} ESCAPE '\\'`,
};

const INSERT = `INSERT INTO recordings (${RECORDING_COLUMNS.join(", ")}) VALUES (${RECORDING_COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})`;
const UPDATABLE = RECORDING_COLUMNS.filter((c) => c !== "id" && !c.endsWith("_count"));
const UPDATE = `UPDATE recordings SET ${UPDATABLE.map((c, i) => `${c} = $${i + 1}`).join(", ")} WHERE id = $${UPDATABLE.length + 1}`;
const ADD_PARTICIPANT = "INSERT INTO recording_participants (user_name, recording_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";

type Row = Record<string, unknown>;
type Executor = Pick<SQL, "unsafe">;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && "errno" in err && (err as { errno: unknown }).errno === "23505";
}

export class PostgresCatalog implements Catalog {
  private constructor(private readonly sql: SQL) {}

  /** Connects (a pool) and creates or upgrades the schema. */
  static async open(url: string): Promise<PostgresCatalog> {
    const sql = new SQL(url);
    await migratePostgres(sql);
    return new PostgresCatalog(sql);
  }

  async #insertRow(tx: Executor, row: RecordingRow): Promise<void> {
    try {
      await tx.unsafe(INSERT, recordingValues(row));
    } catch (err) {
      if (isUniqueViolation(err)) throw new RecordingExistsError(row.id, { cause: err });
      throw err;
    }
    for (const user of row.participants) await tx.unsafe(ADD_PARTICIPANT, [user, row.id]);
  }

  async #get(tx: Executor, id: string, lock = false): Promise<RecordingRow | null> {
    const rows: Row[] = await tx.unsafe(`SELECT * FROM recordings WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
    return rows[0] ? rowFromRecord(rows[0]) : null;
  }

  async createRecording(recording: NewRecording): Promise<RecordingRow> {
    const row = newRecordingRow(recording);
    await this.sql.begin((tx) => this.#insertRow(tx, row));
    return row;
  }

  async createRecordings(recordings: NewRecording[]): Promise<void> {
    const rows = recordings.map(newRecordingRow);
    await this.sql.begin(async (tx) => {
      for (const row of rows) await this.#insertRow(tx, row);
    });
  }

  async updateRecording(id: string, patch: RecordingPatch): Promise<RecordingRow | null> {
    return this.sql.begin(async (tx) => {
      const current = await this.#get(tx, id, true);
      if (current === null) return null;
      const next = patchedRow(current, patch);
      const values = recordingValues(next);
      await tx.unsafe(UPDATE, [...UPDATABLE.map((c) => values[RECORDING_COLUMNS.indexOf(c)]), id]);
      if (patch.participants !== undefined) {
        await tx.unsafe("DELETE FROM recording_participants WHERE recording_id = $1", [id]);
        for (const user of next.participants) await tx.unsafe(ADD_PARTICIPANT, [user, id]);
      }
      return next;
    });
  }

  getRecording(id: string): Promise<RecordingRow | null> {
    return this.#get(this.sql, id);
  }

  async listRecordings(filter: RecordingFilter): Promise<RecordingPage> {
    const query = buildListQuery(filter, postgresDialect);
    const records: Row[] = await this.sql.unsafe(query.sql, query.params);
    return pageOf(query, records.map(rowFromRecord));
  }

  async deleteRecording(id: string): Promise<DeleteOutcome> {
    return this.sql.begin(async (tx): Promise<DeleteOutcome> => {
      // FOR UPDATE: a hold set by another server at the same moment waits for this, or this sees it.
      const refused = deleteRefusal(await this.#get(tx, id, true));
      if (refused) return refused;
      await tx.unsafe("DELETE FROM recordings WHERE id = $1", [id]);
      return "deleted";
    });
  }

  async listEndedBefore(beforeMs: number, limit: number): Promise<RecordingRow[]> {
    const rows: Row[] = await this.sql.unsafe(
      "SELECT * FROM recordings WHERE end_ms IS NOT NULL AND end_ms < $1 AND status <> 'live' AND legal_hold IS NULL ORDER BY end_ms, id LIMIT $2",
      [beforeMs, limit],
    );
    return rows.map(rowFromRecord);
  }

  async setLegalHold(id: string, hold: LegalHold | null): Promise<RecordingRow | null> {
    const rows: Row[] = await this.sql.unsafe("UPDATE recordings SET legal_hold = $1 WHERE id = $2 RETURNING *", [legalHoldColumn(hold), id]);
    return rows[0] ? rowFromRecord(rows[0]) : null;
  }

  async addParticipant(id: string, user: string): Promise<void> {
    await this.sql.begin(async (tx) => {
      const current = await this.#get(tx, id, true);
      if (current === null) throw new CatalogError(`cannot add participant ${user}: recording ${id} does not exist`);
      if (current.participants.includes(user)) return;
      const participants = participantsWithOwner(current.user, [...current.participants, user]);
      await tx.unsafe("UPDATE recordings SET participants = $1 WHERE id = $2", [JSON.stringify(participants), id]);
      await tx.unsafe(ADD_PARTICIPANT, [user, id]);
    });
  }

  async addMarker(id: string, marker: Marker): Promise<void> {
    checkMarker(id, marker);
    const column = `${countedAs(marker.kind)}_count`;
    await this.sql.begin(async (tx) => {
      const bumped: Row[] = await tx.unsafe(`UPDATE recordings SET ${column} = ${column} + 1 WHERE id = $1 RETURNING id`, [id]);
      if (bumped.length === 0) throw new CatalogError(`cannot add ${marker.kind} marker: recording ${id} does not exist`);
      await tx.unsafe("INSERT INTO markers (recording_id, t_ms, kind, detail) VALUES ($1, $2, $3, $4)", [id, marker.tMs, marker.kind, marker.detail]);
    });
  }

  async listMarkers(id: string): Promise<Marker[]> {
    const rows: { t_ms: string | number; kind: MarkerKind; detail: string }[] = await this.sql.unsafe(
      "SELECT t_ms, kind, detail FROM markers WHERE recording_id = $1 ORDER BY t_ms, seq",
      [id],
    );
    return rows.map((m) => ({ tMs: Number(m.t_ms), kind: m.kind, detail: m.detail }));
  }

  async listLiveRecordings(owner?: string | null): Promise<RecordingRow[]> {
    const rows: Row[] =
      owner === undefined
        ? await this.sql.unsafe("SELECT * FROM recordings WHERE status = 'live' ORDER BY start_ms DESC, id DESC")
        : await this.sql.unsafe(
            "SELECT * FROM recordings WHERE status = 'live' AND owner_node IS NOT DISTINCT FROM $1 ORDER BY start_ms DESC, id DESC",
            [owner],
          );
    return rows.map(rowFromRecord);
  }

  async interruptLiveRecordings(reason: string): Promise<string[]> {
    const rows: { id: string }[] = await this.sql.unsafe(
      `UPDATE recordings SET status = 'interrupted', end_ms = start_ms + duration_ms, error = COALESCE(error, $1)
       WHERE status = 'live' RETURNING id`,
      [reason],
    );
    return rows.map((r) => r.id);
  }

  async appendAuditEvent(event: AuditEvent): Promise<void> {
    const timeMs = auditTimeMs(event);
    await this.sql.unsafe("INSERT INTO audit_events (time_ms, event, sid, user_name, body) VALUES ($1, $2, $3, $4, $5)", [
      timeMs,
      event.event,
      typeof event.sid === "string" ? event.sid : null,
      typeof event.user === "string" ? event.user : null,
      JSON.stringify(event),
    ]);
  }

  async listAuditEvents(filter: AuditFilter): Promise<AuditEvent[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const bind = (value: string | number): string => `$${params.push(value)}`;
    if (filter.type !== undefined) where.push(`event = ${bind(filter.type)}`);
    if (filter.sid !== undefined) where.push(`sid = ${bind(filter.sid)}`);
    if (filter.fromMs !== undefined) where.push(`time_ms >= ${bind(filter.fromMs)}`);
    if (filter.toMs !== undefined) where.push(`time_ms <= ${bind(filter.toMs)}`);
    const sql = `SELECT body FROM audit_events${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY time_ms DESC, seq DESC LIMIT ${bind(auditLimit(filter.limit))}`;
    const rows: { body: string }[] = await this.sql.unsafe(sql, params);
    return rows.map((r) => JSON.parse(r.body) as AuditEvent);
  }

  async close(): Promise<void> {
    await this.sql.close();
  }
}
