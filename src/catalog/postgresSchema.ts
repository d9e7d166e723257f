// The PostgreSQL catalog's schema (version 1), same tables and columns as the SQLite one. Free text
// uses a pg_trgm GIN index when the extension can be created; without it q is a sequential LIKE scan.
import type { SQL } from "bun";
import { DESKTOP_LABEL } from "./listQuery.ts";

export const POSTGRES_SCHEMA_VERSION = 1;

const SCHEMA_V1 = [
  `CREATE TABLE recordings (
    id TEXT COLLATE "C" PRIMARY KEY, -- byte order, as cursors and clients compare ids
    kind TEXT NOT NULL,
    user_name TEXT NOT NULL,
    login TEXT NOT NULL,
    desktop_name TEXT NOT NULL,
    desktop_addr TEXT NOT NULL,
    cluster TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT,
    duration_ms BIGINT NOT NULL,
    status TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    video_state TEXT NOT NULL,
    video_duration_ms BIGINT NOT NULL,
    video_bytes BIGINT NOT NULL,
    clipboard_count INTEGER NOT NULL DEFAULT 0,
    resize_count INTEGER NOT NULL DEFAULT 0,
    alert_count INTEGER NOT NULL DEFAULT 0,
    file_transfer_count INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    meta TEXT NOT NULL,
    participants TEXT NOT NULL,
    search_text TEXT NOT NULL
  )`,
  "CREATE INDEX recordings_by_start ON recordings (start_ms, id)",
  "CREATE INDEX recordings_by_user ON recordings (user_name, start_ms, id)",
  "CREATE INDEX recordings_by_desktop_name ON recordings (desktop_name, start_ms, id)",
  "CREATE INDEX recordings_by_desktop_addr ON recordings (desktop_addr, start_ms, id)",
  "CREATE INDEX recordings_by_status ON recordings (status, start_ms, id)",
  "CREATE INDEX recordings_by_kind ON recordings (kind, start_ms, id)",
  "CREATE INDEX recordings_by_end ON recordings (end_ms) WHERE end_ms IS NOT NULL",
  "CREATE INDEX recordings_by_span ON recordings ((end_ms - start_ms)) WHERE end_ms IS NOT NULL",
  "CREATE INDEX recordings_open ON recordings (start_ms) WHERE end_ms IS NULL",
  "CREATE INDEX recordings_with_clipboard ON recordings (start_ms, id) WHERE clipboard_count > 0",
  "CREATE INDEX recordings_with_resize ON recordings (start_ms, id) WHERE resize_count > 0",
  "CREATE INDEX recordings_with_alert ON recordings (start_ms, id) WHERE alert_count > 0",
  "CREATE INDEX recordings_with_file_transfer ON recordings (start_ms, id) WHERE file_transfer_count > 0",
  `CREATE TABLE recording_participants (
    user_name TEXT NOT NULL,
    recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    PRIMARY KEY (user_name, recording_id)
  )`,
  "CREATE INDEX participants_by_recording ON recording_participants (recording_id)",
  `CREATE TABLE markers (
    seq BIGSERIAL PRIMARY KEY,
    recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
    t_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
  )`,
  "CREATE INDEX markers_by_recording ON markers (recording_id, t_ms, seq)",
  `CREATE TABLE audit_events (
    seq BIGSERIAL PRIMARY KEY,
    time_ms BIGINT NOT NULL,
    event TEXT NOT NULL,
    sid TEXT,
    user_name TEXT,
    body TEXT NOT NULL
  )`,
  "CREATE INDEX audit_by_time ON audit_events (time_ms, seq)",
  "CREATE INDEX audit_by_event ON audit_events (event, time_ms, seq)",
  "CREATE INDEX audit_by_sid ON audit_events (sid, time_ms, seq) WHERE sid IS NOT NULL",
];

/**
 * Indexes for the list's other sort orders, each ending in id for the keyset; text compares as "C", as the
 * list query does. Added at every start rather than as a new schema version: they change no data, so servers
 * of the previous version sharing this catalog keep working during an upgrade.
 */
const SORT_INDEXES = [
  "CREATE INDEX IF NOT EXISTS recordings_sort_duration ON recordings (duration_ms, id)",
  `CREATE INDEX IF NOT EXISTS recordings_sort_user ON recordings ((user_name) COLLATE "C", id)`,
  `CREATE INDEX IF NOT EXISTS recordings_sort_desktop ON recordings ((${DESKTOP_LABEL}) COLLATE "C", id)`,
];

/** Added after version 1, at every start (nullable: servers of version 1 sharing the catalog keep working). */
const ADDED_COLUMNS = [
  "ALTER TABLE recordings ADD COLUMN IF NOT EXISTS legal_hold TEXT",
  "CREATE INDEX IF NOT EXISTS recordings_held ON recordings (start_ms, id) WHERE legal_hold IS NOT NULL",
  "ALTER TABLE recordings ADD COLUMN IF NOT EXISTS owner_node TEXT",
  "CREATE INDEX IF NOT EXISTS recordings_live_by_owner ON recordings (owner_node) WHERE status = 'live'",
];

/** Create or upgrade the schema; safe when several servers start at once (advisory lock). */
export async function migratePostgres(sql: SQL): Promise<void> {
  await sql.begin(async (tx) => {
    await tx.unsafe("SELECT pg_advisory_xact_lock(7218431)");
    await tx.unsafe("CREATE TABLE IF NOT EXISTS deskreel_schema (version INTEGER NOT NULL)");
    const rows: { version: number }[] = await tx.unsafe("SELECT version FROM deskreel_schema");
    const version = rows[0]?.version ?? 0;
    if (version > POSTGRES_SCHEMA_VERSION) {
      throw new Error(`catalog database has schema version ${version}, newer than this server's ${POSTGRES_SCHEMA_VERSION}`);
    }
    if (version === 0) {
      for (const statement of SCHEMA_V1) await tx.unsafe(statement);
      await tx.unsafe("INSERT INTO deskreel_schema (version) VALUES ($1)", [POSTGRES_SCHEMA_VERSION]);
    }
    for (const statement of SORT_INDEXES) await tx.unsafe(statement);
    for (const statement of ADDED_COLUMNS) await tx.unsafe(statement);
  });
  // Optional: needs the contrib package and the right to create a (trusted) extension.
  try {
    await sql.unsafe("CREATE EXTENSION IF NOT EXISTS pg_trgm");
    await sql.unsafe("CREATE INDEX IF NOT EXISTS recordings_search_trgm ON recordings USING gin (search_text gin_trgm_ops)");
  } catch {
    // q falls back to a sequential LIKE scan.
  }
}
