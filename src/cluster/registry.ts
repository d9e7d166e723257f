// The node registry: one row per node in the catalog database, renewed by the node's heartbeat (its lease).
// A node whose lease ran out is dead; one surviving node claims it (a conditional UPDATE, so exactly one wins)
// and takes over its live sessions. Times are the nodes' clocks (keep them in sync, NTP); the lease is long
// enough (15 s by default) that ordinary skew does not matter.
import { ensureSchema, int, type SqlRunner } from "../db/sqlRunner.ts";

export interface NodeRecord {
  name: string;
  url: string;
  startedMs: number;
  lastSeenMs: number;
  /** Random per process: a heartbeat finding another one means two processes share the name. */
  incarnation: string;
  /** The node taking over this one's sessions, while it does. */
  claimedBy: string | null;
}

export interface NodeBeat {
  name: string;
  url: string;
  incarnation: string;
  startedMs: number;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS cluster_nodes (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    incarnation TEXT NOT NULL,
    started_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until_ms BIGINT
  )`,
];

function nodeOf(row: Record<string, unknown>): NodeRecord {
  return {
    name: String(row.name),
    url: String(row.url),
    startedMs: int(row.started_ms),
    lastSeenMs: int(row.last_seen_ms),
    incarnation: String(row.incarnation),
    claimedBy: row.claimed_by === null || row.claimed_by === undefined ? null : String(row.claimed_by),
  };
}

export class NodeRegistry {
  private constructor(private readonly db: SqlRunner) {}

  /** Creates the table if needed. The recordings table (owner_node) is the catalog's. */
  static async open(db: SqlRunner): Promise<NodeRegistry> {
    await ensureSchema(db, SCHEMA);
    return new NodeRegistry(db);
  }

  /**
   * Renews the node's lease (creating its row) and ends any claim on it. Returns the incarnation that held the
   * row before, so the caller can tell when another process uses its name.
   */
  async heartbeat(node: NodeBeat, nowMs: number): Promise<string | null> {
    const before = await this.db.query<{ incarnation: string }>("SELECT incarnation FROM cluster_nodes WHERE name = $1", [node.name]);
    await this.db.query(
      `INSERT INTO cluster_nodes (name, url, incarnation, started_ms, last_seen_ms, claimed_by, claimed_until_ms)
       VALUES ($1, $2, $3, $4, $5, NULL, NULL)
       ON CONFLICT (name) DO UPDATE SET url = excluded.url, incarnation = excluded.incarnation,
         started_ms = excluded.started_ms, last_seen_ms = excluded.last_seen_ms, claimed_by = NULL, claimed_until_ms = NULL`,
      [node.name, node.url, node.incarnation, node.startedMs, nowMs],
    );
    return before[0]?.incarnation ?? null;
  }

  /** A node that stops cleanly leaves the registry (its sessions have ended). */
  async leave(name: string, incarnation: string): Promise<void> {
    await this.db.query("DELETE FROM cluster_nodes WHERE name = $1 AND incarnation = $2", [name, incarnation]);
  }

  async nodes(): Promise<NodeRecord[]> {
    return (await this.db.query("SELECT * FROM cluster_nodes ORDER BY name")).map(nodeOf);
  }

  async node(name: string): Promise<NodeRecord | null> {
    const rows = await this.db.query("SELECT * FROM cluster_nodes WHERE name = $1", [name]);
    return rows[0] ? nodeOf(rows[0]) : null;
  }

  /** Live sessions per owner node. */
  async liveSessionCounts(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ owner_node: string; n: unknown }>(
      "SELECT owner_node, COUNT(*) AS n FROM recordings WHERE status = 'live' AND owner_node IS NOT NULL GROUP BY owner_node",
    );
    return new Map(rows.map((r) => [r.owner_node, int(r.n)]));
  }

  /**
   * Claims, for `claimer`, every other node whose lease ended before `nowMs - leaseMs` and that still owns live
   * sessions, unless another node's claim on it is still running (claims last `claimMs`). Each dead node goes
   * to one claimer: the UPDATE re-checks its condition on the locked row.
   */
  async claimDead(claimer: string, nowMs: number, leaseMs: number, claimMs: number): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(
      `UPDATE cluster_nodes SET claimed_by = $1, claimed_until_ms = $2
       WHERE name <> $1 AND last_seen_ms < $3 AND (claimed_until_ms IS NULL OR claimed_until_ms < $4)
         AND EXISTS (SELECT 1 FROM recordings r WHERE r.status = 'live' AND r.owner_node = cluster_nodes.name)
       RETURNING name`,
      [claimer, nowMs + claimMs, nowMs - leaseMs, nowMs],
    );
    return rows.map((r) => r.name);
  }

  /** Removes nodes dead for longer than `keepMs` that own no live session (the list does not grow forever). */
  async forgetDead(nowMs: number, keepMs: number): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM cluster_nodes WHERE last_seen_ms < $1
         AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.status = 'live' AND r.owner_node = cluster_nodes.name)
       RETURNING name`,
      [nowMs - keepMs],
    );
    return rows.length;
  }
}
