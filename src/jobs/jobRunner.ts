// Runs queued jobs on this node: claims one when it has room, renews its lease every third of the lease while
// the handler works, and records the outcome. A handler that throws is retried (on any node) until the job's
// attempts are spent; a job whose node died is claimed again once its lease runs out.
import { errorMessage } from "../errorMessage.ts";
import type { Job, JobQueue } from "./jobQueue.ts";

export interface JobHandler {
  kind: string;
  run(job: Job): Promise<void>;
  /** The job ran out of attempts (nodes kept dying, or it kept failing): leave things in a final state. */
  gaveUp(job: Job, reason: string): Promise<void>;
}

export interface JobRunnerOptions {
  queue: JobQueue;
  node: { readonly name: string };
  handlers: JobHandler[];
  leaseMs: number;
  log: (line: string) => void;
  /** Jobs run at once on this node. */
  concurrency?: number;
  /** How often to look for work when nothing wakes the runner. */
  pollMs?: number;
  now?: () => number;
}

export class JobRunner {
  private readonly handlers: Map<string, JobHandler>;
  private readonly running = new Set<Promise<void>>();
  private stopped = true;
  /** Set when stop() stopped waiting: outcomes of jobs still running are not recorded (their leases lapse). */
  private abandoned = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(private readonly options: JobRunnerOptions) {
    this.handlers = new Map(options.handlers.map((h) => [h.kind, h]));
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.#loop();
  }

  /** Look for work now (a job was just queued). */
  wake(): void {
    this.wakeUp?.();
  }

  async #loop(): Promise<void> {
    const { queue, node, leaseMs, log } = this.options;
    const concurrency = this.options.concurrency ?? 1;
    while (!this.stopped) {
      let job: Job | null = null;
      if (this.running.size < concurrency) {
        try {
          job = await queue.claim(node.name, [...this.handlers.keys()], this.now(), leaseMs);
        } catch (err) {
          log(`jobs: claiming failed: ${errorMessage(err)}`);
        }
      }
      if (job) {
        const run = this.#run(job).finally(() => {
          this.running.delete(run);
          this.wake();
        });
        this.running.add(run);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 1000);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  async #run(job: Job): Promise<void> {
    const { queue, node, leaseMs, log } = this.options;
    const handler = this.handlers.get(job.kind);
    if (!handler) return;
    if (job.attempts > job.maxAttempts) {
      const reason = `gave up after ${job.maxAttempts} attempts (${job.error ?? "the nodes running it stopped"})`;
      log(`jobs: ${job.kind} ${job.id}: ${reason}`);
      await handler.gaveUp(job, reason).catch((err) => log(`jobs: ${job.kind} ${job.id}: ${errorMessage(err)}`));
      await queue.finish(job, node.name, this.now(), reason).catch(() => undefined);
      return;
    }
    if (job.attempts > 1) log(`jobs: ${job.kind} ${job.id}: attempt ${job.attempts} of ${job.maxAttempts} (taken over from a node that stopped)`);
    const renewal = setInterval(() => {
      void queue.renew(job, node.name, this.now(), leaseMs).then(
        (held) => { if (!held) log(`jobs: ${job.kind} ${job.id}: lease lost (another node may run it)`); },
        (err) => log(`jobs: ${job.kind} ${job.id}: lease not renewed: ${errorMessage(err)}`),
      );
    }, Math.max(100, Math.floor(leaseMs / 3)));
    try {
      await handler.run(job);
      // Cut short by this node's stop (its video pool closed under it): not done, left to be claimed again.
      if (this.abandoned) return;
      await queue.finish(job, node.name, this.now());
    } catch (err) {
      if (this.abandoned) return;
      const error = errorMessage(err);
      log(`jobs: ${job.kind} ${job.id}: attempt ${job.attempts} failed: ${error}`);
      await queue.release(job, node.name, this.now(), error).catch(() => undefined);
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * Stops claiming and waits up to `graceMs` for the jobs running here to end; the others are abandoned: their
   * outcome is not recorded and their leases lapse, so a node claims them again.
   */
  async stop(graceMs = Infinity): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    const all = Promise.all([...this.running]);
    if (graceMs === Infinity) return void (await all);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
    clearTimeout(timer);
    if (timedOut) {
      this.abandoned = true;
      this.options.log(`jobs: stopping with ${this.running.size} job(s) unfinished; they will be claimed again`);
    }
  }
}
