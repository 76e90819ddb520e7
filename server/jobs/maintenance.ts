import type { Deps } from '../deps.js';

/** Housekeeping on a timer: forget expired token ids and old completed jobs (their idempotency window). */
export function startMaintenance(deps: Deps, everyMs = 60_000): () => void {
  const run = () => {
    try {
      deps.sqlite.prepare('DELETE FROM auth_jtis WHERE expires_at < ?').run(deps.clock.now());
      deps.queue.pruneCompleted(7 * 24 * 3600_000);
      deps.kommo.ownWrites.prune();
    } catch (err) {
      deps.logger.error({ err }, 'maintenance failed');
    }
  };
  run();
  const t = setInterval(run, everyMs);
  t.unref();
  return () => clearInterval(t);
}
