// A job queue in the shared database: any node may claim a job, holds it under a lease it renews while it
// works, and a job whose lease runs out (its node died) is claimed again by another node, up to maxAttempts.
// PostgreSQL picks the next job with FOR UPDATE SKIP LOCKED, so claimers never wait on each other; SQLite has
// one writer, so the same UPDATE … WHERE id = (SELECT …) is atomic there as it is.
import { randomUUID } from "node:crypto";
import { ensureSchema, int, nullableInt, type SqlRunner } from "../db/sqlRunner.ts";

export type JobState = "queued" | "running" | "done" | "failed";

export interface Job {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  state: JobState;
  /** Claims so far (the current one included). */
  attempts: number;
  maxAttempts: number;
  claimedBy: string | null;
  leaseUntilMs: number | null;
  createdMs: number;
  updatedMs: number;
  error: string | null;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    claimed_by TEXT,
    lease_until_ms BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    error TEXT
  )`,
  "CREATE INDEX IF NOT EXISTS jobs_waiting ON jobs (created_ms) WHERE state IN ('queued', 'running')",
];

function jobOf(r: Record<string, unknown>): Job {
  return {
    id: String(r.id), kind: String(r.kind), payload: JSON.parse(String(r.payload)) as Record<string, unknown>, state: r.state as JobState,
    attempts: int(r.attempts), maxAttempts: int(r.max_attempts), claimedBy: r.claimed_by === null ? null : String(r.claimed_by),
    leaseUntilMs: nullableInt(r.lease_until_ms), createdMs: int(r.created_ms), updatedMs: int(r.updated_ms),
    error: r.error === null ? null : String(r.error),
  };
}

export class JobQueue {
  private constructor(private readonly db: SqlRunner) {}

  static async open(db: SqlRunner): Promise<JobQueue> {
    await ensureSchema(db, SCHEMA);
    return new JobQueue(db);
  }

  async enqueue(kind: string, payload: Record<string, unknown>, nowMs: number, maxAttempts = 3): Promise<Job> {
    const rows = await this.db.query(
      "INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, created_ms, updated_ms) VALUES ($1, $2, $3, 'queued', 0, $4, $5, $5) RETURNING *",
      [randomUUID(), kind, JSON.stringify(payload), maxAttempts, nowMs],
    );
    return jobOf(rows[0]);
  }

  /**
   * Claims the oldest job of one of `kinds` that is queued, or running under a lease that ran out (its node
   * died). Null: nothing to do. A claimed job with attempts > maxAttempts is for the caller to give up on.
   */
  async claim(node: string, kinds: readonly string[], nowMs: number, leaseMs: number): Promise<Job | null> {
    if (kinds.length === 0) return null;
    const list = kinds.map((_, i) => `$${i + 4}`).join(", ");
    const lock = this.db.dialect === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
    {
      const rows = await this.db.query(
        `UPDATE jobs SET state = 'running', claimed_by = $1, lease_until_ms = $2, attempts = attempts + 1, updated_ms = $3
         WHERE id = (SELECT id FROM jobs WHERE kind IN (${list})
                       AND (state = 'queued' OR (state = 'running' AND lease_until_ms < $3))
                     ORDER BY created_ms, id LIMIT 1${lock})
           AND (state = 'queued' OR (state = 'running' AND lease_until_ms < $3))
         RETURNING *`,
        [node, nowMs + leaseMs, nowMs, ...kinds],
      );
      return rows.length === 0 ? null : jobOf(rows[0]);
    }
  }

  /** Extends the lease of a job this node holds; false when it no longer holds it. */
  async renew(job: Job, node: string, nowMs: number, leaseMs: number): Promise<boolean> {
    const rows = await this.db.query(
      "UPDATE jobs SET lease_until_ms = $1, updated_ms = $2 WHERE id = $3 AND claimed_by = $4 AND state = 'running' RETURNING id",
      [nowMs + leaseMs, nowMs, job.id, node],
    );
    return rows.length === 1;
  }

  /** Ends a job this node holds: done, or failed with `error` (no retry: the error was the job's own). */
  async finish(job: Job, node: string, nowMs: number, error: string | null = null): Promise<boolean> {
    const rows = await this.db.query(
      "UPDATE jobs SET state = $1, error = $2, lease_until_ms = NULL, updated_ms = $3 WHERE id = $4 AND claimed_by = $5 AND state = 'running' RETURNING id",
      [error === null ? "done" : "failed", error, nowMs, job.id, node],
    );
    return rows.length === 1;
  }

  /** Puts a job this node holds back in the queue (it failed in a way another attempt may not). */
  async release(job: Job, node: string, nowMs: number, error: string): Promise<boolean> {
    const rows = await this.db.query(
      "UPDATE jobs SET state = 'queued', error = $1, claimed_by = NULL, lease_until_ms = NULL, updated_ms = $2 WHERE id = $3 AND claimed_by = $4 AND state = 'running' RETURNING id",
      [error, nowMs, job.id, node],
    );
    return rows.length === 1;
  }

  async get(id: string): Promise<Job | null> {
    const rows = await this.db.query("SELECT * FROM jobs WHERE id = $1", [id]);
    return rows[0] ? jobOf(rows[0]) : null;
  }

  /** Jobs not finished yet, oldest first. */
  async pending(): Promise<Job[]> {
    return (await this.db.query("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_ms, id")).map(jobOf);
  }
}
