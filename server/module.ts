import type { Hono } from 'hono';
import type { AppEnv } from './http/env.js';
import type { JobDefinition } from './jobs/worker.js';

/** Stops what `start` started (timers, watchers). */
export type Stop = () => void | Promise<void>;

/**
 * The unit of wiring. `modules/<domain>/index.ts` exports `<domain>Module(deps)` returning one of these;
 * `modules.ts` builds them in order and `runtime.ts` mounts the routes, registers the jobs and runs
 * `start` (timers and watchers only: bus subscriptions are made when the module is built).
 */
export interface Module<S extends object = object> {
  name: string;
  services: S;
  routes?: Hono<AppEnv>[];
  jobs?: JobDefinition[];
  start?(): Stop;
}
