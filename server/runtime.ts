import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.js';
import { createJtiRepo } from './http/auth-jtis.repo.js';
import type { Module, Stop } from './module.js';
import { closePlatform, type Platform } from './platform.js';

export interface RuntimeOptions {
  /** Claim and run jobs in this process. */
  worker?: boolean;
  /** Timers and watchers: the modules' `start`, and the platform's housekeeping. */
  timers?: boolean;
  /** Serve the app over HTTP. */
  http?: { port: number; host: string; onListening?: (port: number) => void };
}

export interface Runtime {
  app: ReturnType<typeof createApp>;
  server: ServerType | null;
  /** Stop serving, stop timers, let running jobs finish until the deadline, close the database. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Completed jobs are kept this long: their idempotency keys stay taken for that window. */
const COMPLETED_JOBS_KEPT_MS = 7 * 24 * 3600_000;

/** One boot sequence for the server, the demo, the bench and the tests: mount, register, start. */
export function startRuntime(p: Platform, modules: Module[], o: RuntimeOptions = {}): Runtime {
  const jtis = createJtiRepo(p.sqlite);
  p.worker.register(...modules.flatMap((m) => m.jobs ?? []));
  const app = createApp(
    { ...p, jtis },
    modules.flatMap((m) => m.routes ?? []),
  );
  const stops: Stop[] = [];
  if (o.timers) {
    for (const m of modules) if (m.start) stops.push(m.start());
    stops.push(housekeeping(p, () => jtis.prune(p.clock.now())));
  }
  if (o.worker) p.worker.start();
  const server = o.http ? serve({ fetch: app.fetch, port: o.http.port, hostname: o.http.host }, (info) => o.http!.onListening?.(info.port)) : null;
  let stopped = false;
  return {
    app,
    server,
    async stop(timeoutMs = p.env.SHUTDOWN_TIMEOUT_MS) {
      if (stopped) return;
      stopped = true;
      // Stop accepting; in-flight requests finish on their own (not awaited: keep-alive sockets would hold it).
      server?.close();
      for (const s of stops.reverse()) await s();
      await p.worker.stop(timeoutMs);
      closePlatform(p);
    },
  };
}

/** Forget expired token ids and old completed jobs, once a minute. */
function housekeeping(p: Platform, pruneJtis: () => void, everyMs = 60_000): Stop {
  const run = () => {
    try {
      pruneJtis();
      p.queue.pruneCompleted(COMPLETED_JOBS_KEPT_MS);
    } catch (err) {
      p.logger.error({ err }, 'housekeeping failed');
    }
  };
  run();
  const t = setInterval(run, everyMs);
  t.unref();
  return () => clearInterval(t);
}
