// The server's parts, built once from the configuration and shared by the HTTP modules.
import { AgentSessions } from "./sessions/agentSessions.ts";
import type { AuthService } from "./auth/authService.ts";
import { createAuthService } from "./auth/authService.ts";
import { PasswordWork } from "./auth/passwordWork.ts";
import type { Catalog } from "./catalog/catalog.ts";
import { openCatalog } from "./catalog/openCatalog.ts";
import { ensurePrivateDir } from "./privateFiles.ts";
import type { Config } from "./config.ts";
import type { AuditLog } from "./recording/tee.ts";
import { AccessLog } from "./sessions/accessLog.ts";
import type { DesktopSessionDeps } from "./sessions/desktopSession.ts";
import { LiveSessions } from "./sessions/liveSessions.ts";
import { RecordingRemoval } from "./sessions/recordingRemoval.ts";
import { RetentionJob } from "./sessions/retention.ts";
import type { DesktopSession } from "./sessions/desktopSession.ts";
import type { SshSession } from "./sessions/sshSession.ts";
import type { BlobStore } from "./storage/blobStore.ts";
import { openBlobStore } from "./storage/openBlobStore.ts";
import { VideoPool } from "./video/pool/videoPool.ts";
import { resolveBackend } from "./video/encoder/choose.ts";
import { ClusterNode } from "./cluster/clusterNode.ts";
import { NodeIdentity } from "./cluster/nodeIdentity.ts";
import { NodeRegistry } from "./cluster/registry.ts";
import { openSharedDatabase } from "./db/openDatabase.ts";
import type { SqlRunner } from "./db/sqlRunner.ts";
import { JobQueue } from "./jobs/jobQueue.ts";
import { JobRunner } from "./jobs/jobRunner.ts";
import { importVideoHandler } from "./sessions/importJob.ts";

export interface Services {
  config: Config;
  store: BlobStore;
  catalog: Catalog;
  auth: AuthService;
  auditLog: AuditLog;
  accessLog: AccessLog;
  pool: VideoPool;
  /** Live desktop sessions (their video can be watched live). */
  live: LiveSessions<DesktopSession>;
  /** Live SSH sessions. */
  ssh: LiveSessions<SshSession>;
  log: (line: string) => void;
  /** Live sessions per ingest principal, capped. */
  agentSessions: AgentSessions;
  /** What a desktop session needs, assembled once. */
  sessionDeps: DesktopSessionDeps;
  /** Deletes a finished recording and all its objects (admins, retention). */
  removal: RecordingRemoval;
  /** DESKREEL_RETENTION_DAYS; started by the server. */
  retention: RetentionJob;
  /** This node's name and URL in the cluster. */
  node: NodeIdentity;
  /** Heartbeat, node registry and takeover of dead nodes' sessions. */
  cluster: ClusterNode;
  /** Jobs any node may run (the videos of imports), and this node's runner of them. */
  jobs: JobQueue;
  jobRunner: JobRunner;
  /** The database shared by the nodes (the catalog's): registry, job queue, accounts on PostgreSQL. */
  db: SqlRunner;
  close(): Promise<void>;
}

export async function createServices(config: Config, log: (line: string) => void): Promise<Services> {
  ensurePrivateDir(config.dataDir);
  const store = openBlobStore({ dataDir: config.dataDir, s3: config.s3, log });
  const catalog = await openCatalog({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const db = openSharedDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const node = new NodeIdentity(config.nodeName, config.advertiseUrl, config.port);
  const auditLog: AuditLog = {
    emit: (json) => catalog.appendAuditEvent(json),
  };
  const auth = await createAuthService({
    dataDir: config.dataDir, adminToken: config.adminToken, log, auditLog, publicUrl: config.publicUrl,
    sessionIdleSeconds: config.sessionIdleSeconds, sessionMaxSeconds: config.sessionMaxSeconds,
    passwords: new PasswordWork(config.passwordChecks), database: config.databaseUrl === null ? null : db,
  });
  const encoder = await resolveBackend(config.videoEncoder);
  log(`video encoder: ${encoder.backend} (${encoder.reason})`);
  const pool = new VideoPool({ workers: config.videoWorkers, encoder: config.videoEncoder });
  const live = new LiveSessions<DesktopSession>();
  const ssh = new LiveSessions<SshSession>();
  const cluster = new ClusterNode({
    identity: node, registry: await NodeRegistry.open(db), recovery: { catalog, store, log }, leaseMs: config.nodeLeaseSeconds * 1000, log,
  });
  const sessionDeps: DesktopSessionDeps = {
    store, catalog, auditLog, pool, log, node,
    recordingMode: config.recordingMode, keepClipboard: config.keepClipboard,
    maxFps: config.maxFps, keyframeMs: config.keyframeMs, videoPointer: config.videoPointer, maxPixelsPerSecond: config.maxPixelsPerSecond,
  };
  const removal = new RecordingRemoval({ catalog, store, auditLog, log });
  const retention = new RetentionJob(
    { catalog, removal, log, isLive: (id) => live.get(id) !== undefined || ssh.get(id) !== undefined },
    { days: config.retentionDays, intervalMs: 60 * 60 * 1000, batch: 100 },
  );
  const jobs = await JobQueue.open(db);
  const services: Omit<Services, "jobRunner" | "close"> = {
    config, store, catalog, auth, auditLog, pool, live, ssh, log, sessionDeps, node, cluster, db, jobs, removal, retention,
    agentSessions: new AgentSessions(config.maxSessionsPerAgent),
    accessLog: new AccessLog(auditLog),
  };
  const jobRunner = new JobRunner({
    queue: jobs, node, leaseMs: config.nodeLeaseSeconds * 1000, log, handlers: [importVideoHandler(services)],
  });
  return {
    ...services, jobRunner,
    async close() {
      await retention.stop();
      await Promise.all([live.closeAll(), ssh.closeAll()]);
      // An import still encoding after a few seconds is left to its lease: this node or another takes it again.
      await jobRunner.stop(5000);
      await cluster.stop();
      await pool.close();
      await catalog.close();
      await auth.close();
      await db.close();
    },
  };
}
