import type { Deps } from '../deps.js';
import type { JobDefinition } from './worker.js';

/** Every job handler the worker runs. Each feature adds its definitions here. */
export function allJobs(_deps: Deps): JobDefinition[] {
  return [];
}
