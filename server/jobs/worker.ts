import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import type { Metrics } from '../lib/metrics.js';
import type { BackoffOptions } from './backoff.js';
import { PermanentJobError, RetryAfterError } from './errors.js';
import type { ClaimedJob, ClaimGate, JobQueue } from './queue.js';

export interface JobContext {
  job: ClaimedJob;
  /** Aborted when the worker gives up on the job at shutdown or the lease is lost. */
  signal: AbortSignal;
  /** Extend the lease for long work (the worker also does this on a timer). */
  heartbeat(): void;
  /**
   * Mark the job done from inside the handler's own transaction, so its effects and its completion
   * commit together (and one commit is saved). Returns false if the lease was lost.
   */
  complete(): boolean;
}

export interface JobDefinition<S extends z.ZodTypeAny = z.ZodTypeAny> {
  queue: string;
  payload: S;
  handle(payload: z.infer<S>, ctx: JobContext): Promise<void>;
  leaseMs?: number;
  backoff?: BackoffOptions;
  /**
   * The most of the worker's slots this queue may fill at once, from 0 to 1 (default 1). Slow queues
   * (model calls, syncs, SMTP) take less, and all queues with a share below 1 together never fill the
   * last quarter of the slots: that stays free for the quick work, webhook processing first.
   */
  share?: number;
}

export function defineJob<S extends z.ZodTypeAny>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

export interface WorkerOptions {
  concurrency: number;
  pollMs?: number;
  name?: string;
}

/**
 * Claims jobs from the queue and runs their handlers, `concurrency` at a time. One retry layer:
 * handlers throw, the queue decides between retry (with backoff), a free retry after a 429, and dead.
 */
export class Worker {
  private readonly defs = new Map<string, JobDefinition>();
  private readonly running = new Map<number, { queue: string; promise: Promise<void>; abort: AbortController }>();
  private stopping = false;
  private started = false;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  // A burst of enqueues wakes the worker once, a few milliseconds later, so one claim takes them together.
  private readonly onEnqueued = () => this.schedule(3);

  constructor(
    private readonly deps: {
      queue: JobQueue;
      clock: Clock;
      logger: Logger;
      metrics?: Metrics;
      /** Commit a small write together with the other writes of this tick (see GroupCommitter); defaults to committing alone. */
      groupTx?: <T>(fn: () => T) => Promise<T>;
    },
    private readonly opts: WorkerOptions,
  ) {}

  register(...defs: JobDefinition[]): this {
    for (const d of defs) this.defs.set(d.queue, d);
    return this;
  }

  get queues(): string[] {
    return [...this.defs.keys()];
  }

  get activeCount(): number {
    return this.running.size;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.deps.queue.events.on('enqueued', this.onEnqueued);
    this.schedule(0);
  }

  /** Stop claiming; wait for running jobs up to `deadlineMs`, then abort them (their leases will lapse and they run again). */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopping = true;
    this.deps.queue.events.off('enqueued', this.onEnqueued);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const all = Promise.allSettled([...this.running.values()].map((r) => r.promise));
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((res) => {
        deadline = setTimeout(() => res(true), deadlineMs);
      }),
    ]);
    clearTimeout(deadline);
    if (timedOut) {
      for (const r of this.running.values()) r.abort.abort(new Error('worker shutting down'));
      this.deps.logger.warn({ running: this.running.size }, 'shutdown deadline passed; unfinished jobs will be retried after their lease');
    }
    this.started = false;
  }

  /** Run everything runnable now and wait until idle. Used by tests and scripts that drive the queue by hand. */
  async drain(maxRounds = 10_000): Promise<number> {
    let done = 0;
    for (let round = 0; round < maxRounds; round++) {
      const jobs = this.deps.queue.claim(this.queues, this.opts.concurrency, undefined, this.gate());
      if (jobs.length === 0 && this.running.size === 0) return done;
      await Promise.all(jobs.map((j) => this.run(j)));
      done += jobs.length;
      if (jobs.length === 0) await Promise.allSettled([...this.running.values()].map((r) => r.promise));
    }
    return done;
  }

  private schedule(delayMs: number) {
    if (!this.started || this.stopping) return;
    const due = performance.now() + delayMs;
    if (this.timer) {
      // An earlier wake (an enqueue, a finished job) replaces a later one (the idle poll); never the reverse.
      if (due >= this.timerDue) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, delayMs);
  }

  /**
   * The queues' shares as a claim gate: a queue may start a job while it runs fewer than its cap, and a
   * queue with a share below 1 only while those queues together leave a quarter of the slots free.
   */
  private gate(): ClaimGate {
    const { concurrency } = this.opts;
    const reserved = Math.max(1, Math.floor(concurrency / 4));
    const backgroundCap = Math.max(1, concurrency - reserved);
    const shareOf = (queue: string) => this.defs.get(queue)?.share ?? 1;
    const capOf = (queue: string) => (shareOf(queue) >= 1 ? concurrency : Math.max(1, Math.floor(concurrency * shareOf(queue))));
    const busy = new Map<string, number>();
    let background = 0;
    const take = (queue: string) => {
      busy.set(queue, (busy.get(queue) ?? 0) + 1);
      if (shareOf(queue) < 1) background++;
    };
    for (const r of this.running.values()) take(r.queue);
    return {
      open: (queue) => (busy.get(queue) ?? 0) < capOf(queue) && (shareOf(queue) >= 1 || background < backgroundCap),
      take,
    };
  }

  private tick() {
    if (this.stopping) return;
    const free = this.opts.concurrency - this.running.size;
    let claimed: ClaimedJob[] = [];
    if (free > 0) {
      try {
        claimed = this.deps.queue.claim(this.queues, free, undefined, this.gate());
      } catch (err) {
        this.deps.logger.error({ err }, 'claiming jobs failed');
      }
      for (const job of claimed) void this.run(job);
    }
    const poll = this.opts.pollMs ?? 250;
    this.schedule(claimed.length > 0 && claimed.length === free ? 0 : poll);
  }

  private run(job: ClaimedJob): Promise<void> {
    const abort = new AbortController();
    const promise = this.execute(job, abort).finally(() => {
      this.running.delete(job.id);
      this.schedule(0);
    });
    this.running.set(job.id, { queue: job.queue, promise, abort });
    return promise;
  }

  private async execute(job: ClaimedJob, abort: AbortController): Promise<void> {
    const { queue, clock, logger, metrics } = this.deps;
    const def = this.defs.get(job.queue);
    const started = clock.now();
    const leaseMs = def?.leaseMs ?? queue.leaseMs;
    const heartbeat = () => {
      if (!queue.extendLease(job, leaseMs)) abort.abort(new Error('lease lost'));
    };
    const beat = setInterval(heartbeat, Math.max(50, Math.floor(leaseMs / 3)));
    beat.unref();
    let outcome = 'completed';
    let completedInside: boolean | null = null;
    const complete = () => (completedInside = queue.complete(job));
    try {
      if (!def) throw new PermanentJobError(`no handler registered for queue ${job.queue}`);
      const parsed = def.payload.safeParse(job.payload);
      if (!parsed.success) {
        throw new PermanentJobError(`invalid payload: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
      }
      await def.handle(parsed.data, { job, signal: abort.signal, heartbeat, complete });
      // Jobs finishing in the same tick share the commit that marks them done.
      const done = completedInside ?? (this.deps.groupTx ? await this.deps.groupTx(() => queue.complete(job)) : queue.complete(job));
      if (!done) outcome = 'lease_lost';
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const result = queue.fail(job, message, {
        retryAfterMs: err instanceof RetryAfterError ? err.retryAfterMs : undefined,
        permanent: err instanceof PermanentJobError,
        backoff: def?.backoff,
      });
      outcome = result.state === 'dead' ? 'dead' : 'retry';
      const log = { jobId: job.id, queue: job.queue, attempt: job.attempts, outcome, error: message };
      if (result.state === 'dead') logger.error(log, 'job failed for good');
      else logger.warn({ ...log, retryAt: result.runAt }, 'job failed; will retry');
    } finally {
      clearInterval(beat);
      const finished = clock.now();
      metrics?.observeJob(job.queue, outcome, (finished - started) / 1000, Math.max(0, started - job.runAt) / 1000);
    }
  }
}
