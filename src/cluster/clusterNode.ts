// This node's part in the cluster: it renews its lease in the registry every lease/3, and on each beat claims
// nodes whose lease ran out and takes over their live sessions (recovers what the shared storage holds and
// marks them interrupted). On one machine with SQLite it is a cluster of one and the takeover never fires.
import { randomHex } from "../auth/secrets.ts";
import { errorMessage } from "../errorMessage.ts";
import type { RecoveryDeps } from "../sessions/recovery.ts";
import { recoverSession } from "../sessions/recovery.ts";
import type { NodeIdentity } from "./nodeIdentity.ts";
import type { NodeRegistry } from "./registry.ts";

export interface ClusterNodeOptions {
  identity: NodeIdentity;
  registry: NodeRegistry;
  /** Where a dead node's sessions are recovered from and marked. */
  recovery: RecoveryDeps;
  leaseMs: number;
  log: (line: string) => void;
  now?: () => number;
}

/** One node as GET /v1/cluster shows it. */
export interface NodeView {
  name: string;
  url: string;
  /** When it last renewed its lease (ms since the Unix epoch). */
  lastSeenMs: number;
  alive: boolean;
  liveSessions: number;
}

/** Nodes dead this long, owning nothing, are dropped from the registry. */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export class ClusterNode {
  readonly incarnation = randomHex(8);
  readonly startedMs: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private beat: Promise<void> | null = null;
  private readonly now: () => number;
  private warnedDuplicate = false;
  private takeovers = 0;

  constructor(private readonly options: ClusterNodeOptions) {
    this.now = options.now ?? Date.now;
    this.startedMs = this.now();
  }

  get name(): string {
    return this.options.identity.name;
  }

  get url(): string {
    return this.options.identity.url;
  }

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  /** Joins the registry (first heartbeat) and starts beating. */
  async start(): Promise<void> {
    const previous = await this.options.registry.node(this.name);
    if (previous && previous.incarnation !== this.incarnation && this.now() - previous.lastSeenMs < this.options.leaseMs) {
      this.options.log(`cluster: node name ${this.name} was renewed ${this.now() - previous.lastSeenMs} ms ago by another process` +
        " (a restart, or another node with this name: each node needs its own DESKREEL_NODE_NAME)");
    }
    await this.options.registry.heartbeat(this.#beat(), this.now());
    this.timer = setInterval(() => void this.tick(), Math.max(200, Math.floor(this.options.leaseMs / 3)));
    this.options.log(`cluster: node ${this.name} at ${this.url} (lease ${this.options.leaseMs / 1000} s)`);
  }

  #beat() {
    return { name: this.name, url: this.url, incarnation: this.incarnation, startedMs: this.startedMs };
  }

  /** One heartbeat and takeover round; rounds never overlap. */
  tick(): Promise<void> {
    this.beat ??= this.#round().finally(() => (this.beat = null));
    return this.beat;
  }

  async #round(): Promise<void> {
    try {
      const holder = await this.options.registry.heartbeat(this.#beat(), this.now());
      if (holder !== null && holder !== this.incarnation && !this.warnedDuplicate) {
        this.warnedDuplicate = true;
        this.options.log(`cluster: another process renews node name ${this.name}: give each node its own DESKREEL_NODE_NAME`);
      }
      await this.takeOverDead();
      if (Math.random() < 0.01) await this.options.registry.forgetDead(this.now(), FORGET_AFTER_MS);
    } catch (err) {
      this.options.log(`cluster: heartbeat failed: ${errorMessage(err)}`);
    }
  }

  /** Claims dead nodes and recovers their live sessions; returns the ids recovered. */
  async takeOverDead(): Promise<string[]> {
    const { registry, recovery, leaseMs, log } = this.options;
    const now = this.now();
    // The claim outlasts a slow recovery; if this node dies meanwhile, another claims again after it.
    const dead = await registry.claimDead(this.name, now, leaseMs, 4 * leaseMs);
    const ids: string[] = [];
    for (const name of dead) {
      const node = await registry.node(name);
      const silentS = node ? Math.round((now - node.lastSeenMs) / 1000) : null;
      const rows = await recovery.catalog.listLiveRecordings(name);
      log(`cluster: node ${name} is dead (no heartbeat for ${silentS ?? "?"} s): taking over its ${rows.length} live session(s)`);
      for (const row of rows) {
        await recoverSession(recovery, row, `node ${name} stopped while the session was live (taken over by ${this.name})`);
        ids.push(row.id);
      }
      this.takeovers++;
    }
    return ids;
  }

  async nodes(): Promise<NodeView[]> {
    const [nodes, counts] = await Promise.all([this.options.registry.nodes(), this.options.registry.liveSessionCounts()]);
    const now = this.now();
    return nodes.map((n) => ({
      name: n.name, url: n.url, lastSeenMs: n.lastSeenMs, alive: now - n.lastSeenMs < this.options.leaseMs, liveSessions: counts.get(n.name) ?? 0,
    }));
  }

  /** Where node `name` is reached (its advertised URL), or null when the registry does not know it. */
  async nodeUrl(name: string): Promise<string | null> {
    if (name === this.name) return this.url;
    return (await this.options.registry.node(name))?.url ?? null;
  }

  stats() {
    return { takeovers: this.takeovers };
  }

  /** Stops beating; after a clean stop (its sessions ended) the node leaves the registry. */
  async stop(leave = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beat;
    if (leave) await this.options.registry.leave(this.name, this.incarnation).catch(() => undefined);
  }
}
