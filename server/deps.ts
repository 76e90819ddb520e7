import type { Env } from './env.js';
import { allJobs } from './jobs/registry.js';
import { createActivityService, type ActivityService } from './modules/activity/activity.service.js';
import { createFeatureDeps, type FeatureDeps } from './features.js';
import { closePlatform, createPlatform, type Platform, type PlatformOverrides } from './platform.js';

export type BaseDeps = Platform & { activity: ActivityService };

export type Deps = BaseDeps & FeatureDeps;

export type DepsOverrides = PlatformOverrides;

/** Build every dependency once. Tests call this with a test env and swap any part through overrides. */
export function createDeps(env: Env, overrides: DepsOverrides = {}): Deps {
  const p = createPlatform(env, overrides);
  const base: BaseDeps = { ...p, activity: createActivityService({ db: p.db, clock: p.clock }) };
  const features = createFeatureDeps(base);
  const deps: Deps = { ...base, ...features };
  p.worker.register(...allJobs(deps));
  return deps;
}

export function closeDeps(deps: Deps) {
  closePlatform(deps);
}
