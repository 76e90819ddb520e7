import { appFor } from '../../server/routes.js';
import { createDeps, type Deps, type DepsOverrides } from '../../server/deps.js';
import { manualClock } from '../../server/lib/clock.js';
import { testEnv } from './env.js';

/** The real app on a fresh in-memory database with the real migrations. */
export function buildTestApp(opts: { env?: Record<string, string | undefined>; overrides?: DepsOverrides; manualTime?: boolean } = {}) {
  const clock = opts.manualTime ? manualClock(Date.now()) : undefined;
  const deps: Deps = createDeps(testEnv(opts.env), { ...(clock ? { clock } : {}), ...opts.overrides });
  const app = appFor(deps);
  return { deps, app, clock, close: () => deps.sqlite.close() };
}
