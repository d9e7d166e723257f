// The SQLite catalog's schema (version 1). q is served by an FTS5 trigram index over search_text,
// kept in step by triggers; recordings carry an INTEGER PRIMARY KEY so FTS rowids survive VACUUM.
import type { Database } from "bun:sqlite";
import { DESKTOP_LABEL } from "./listQuery.ts";

export const SQLITE_SCHEMA_VERSION = 1;

const SCHEMA_V1 = `
CREATE TABLE recordings (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  user_name TEXT NOT NULL,
  login TEXT NOT NULL,
  desktop_name TEXT NOT NULL,
  desktop_addr TEXT NOT NULL,
  cluster TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER,
  duration_ms INTEGER NOT NULL,
  status TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  video_state TEXT NOT NULL,
  video_duration_ms INTEGER NOT NULL,
  video_bytes INTEGER NOT NULL,
  clipboard_count INTEGER NOT NULL DEFAULT 0,
  resize_count INTEGER NOT NULL DEFAULT 0,
  alert_count INTEGER NOT NULL DEFAULT 0,
  file_transfer_count INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  meta TEXT NOT NULL,
  participants TEXT NOT NULL,
  search_text TEXT NOT NULL
);
CREATE INDEX recordings_by_start ON recordings (start_ms, id);
CREATE INDEX recordings_by_user ON recordings (user_name, start_ms, id);
CREATE INDEX recordings_by_desktop_name ON recordings (desktop_name, start_ms, id);
CREATE INDEX recordings_by_desktop_addr ON recordings (desktop_addr, start_ms, id);
CREATE INDEX recordings_by_status ON recordings (status, start_ms, id);
CREATE INDEX recordings_by_kind ON recordings (kind, start_ms, id);
CREATE INDEX recordings_by_end ON recordings (end_ms) WHERE end_ms IS NOT NULL;
-- With these two, "active at t" searches only starts within the longest session before t.
CREATE INDEX recordings_by_span ON recordings ((end_ms - start_ms)) WHERE end_ms IS NOT NULL;
CREATE INDEX recordings_open ON recordings (start_ms) WHERE end_ms IS NULL;
CREATE INDEX recordings_with_clipboard ON recordings (start_ms, id) WHERE clipboard_count > 0;
CREATE INDEX recordings_with_resize ON recordings (start_ms, id) WHERE resize_count > 0;
CREATE INDEX recordings_with_alert ON recordings (start_ms, id) WHERE alert_count > 0;
CREATE INDEX recordings_with_file_transfer ON recordings (start_ms, id) WHERE file_transfer_count > 0;

CREATE VIRTUAL TABLE recordings_fts USING fts5(search_text, content='recordings', content_rowid='seq', tokenize='trigram');
CREATE TRIGGER recordings_fts_insert AFTER INSERT ON recordings BEGIN
  INSERT INTO recordings_fts (rowid, search_text) VALUES (new.seq, new.search_text);
END;
CREATE TRIGGER recordings_fts_delete AFTER DELETE ON recordings BEGIN
  INSERT INTO recordings_fts (recordings_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
END;
CREATE TRIGGER recordings_fts_update AFTER UPDATE OF search_text ON recordings
WHEN old.search_text IS NOT new.search_text BEGIN
  INSERT INTO recordings_fts (recordings_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
  INSERT INTO recordings_fts (rowid, search_text) VALUES (new.seq, new.search_text);
END;

CREATE TABLE recording_participants (
  user_name TEXT NOT NULL,
  recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  PRIMARY KEY (user_name, recording_id)
) WITHOUT ROWID;
CREATE INDEX participants_by_recording ON recording_participants (recording_id);

CREATE TABLE markers (
  seq INTEGER PRIMARY KEY,
  recording_id TEXT NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
  t_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX markers_by_recording ON markers (recording_id, t_ms, seq);

CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  event TEXT NOT NULL,
  sid TEXT,
  user_name TEXT,
  body TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit_events (time_ms, seq);
CREATE INDEX audit_by_event ON audit_events (event, time_ms, seq);
CREATE INDEX audit_by_sid ON audit_events (sid, time_ms, seq) WHERE sid IS NOT NULL;
`;

/**
 * Indexes for the list's other sort orders, each ending in id for the keyset. Added at every start rather
 * than as a new schema version: they change no data, so older servers can still open the file.
 */
const SORT_INDEXES = `
CREATE INDEX IF NOT EXISTS recordings_sort_duration ON recordings (duration_ms, id);
CREATE INDEX IF NOT EXISTS recordings_sort_user ON recordings (user_name, id);
CREATE INDEX IF NOT EXISTS recordings_sort_desktop ON recordings (${DESKTOP_LABEL}, id);
`;

/**
 * Columns added after version 1, at every start (nullable, so servers of version 1 still read and write the file):
 * owner_node is the cluster node recording a live session; legal_hold the JSON of a recording's legal hold.
 */
const ADDED_COLUMNS: [column: string, definition: string][] = [["owner_node", "TEXT"], ["legal_hold", "TEXT"]];
const ADDED_INDEXES = `CREATE INDEX IF NOT EXISTS recordings_live_by_owner ON recordings (owner_node) WHERE status = 'live';
CREATE INDEX IF NOT EXISTS recordings_held ON recordings (start_ms, id) WHERE legal_hold IS NOT NULL;`;

/** Create or upgrade the schema; refuses a database written by a newer version. */
export function migrateSqlite(db: Database): void {
  const row = db.query("PRAGMA user_version").get() as { user_version: number } | null;
  const version = row?.user_version ?? 0;
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new Error(`catalog database has schema version ${version}, newer than this server's ${SQLITE_SCHEMA_VERSION}`);
  }
  if (version === 0) {
    db.transaction(() => {
      db.exec(SCHEMA_V1);
      db.exec(`PRAGMA user_version = ${SQLITE_SCHEMA_VERSION}`);
    })();
  }
  db.exec(SORT_INDEXES);
  const columns = db.query<{ name: string }, []>("PRAGMA table_info(recordings)").all();
  for (const [column, definition] of ADDED_COLUMNS) {
    if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE recordings ADD COLUMN ${column} ${definition}`);
  }
  db.exec(ADDED_INDEXES);
}
