import type { Deps } from '../deps.js';
import { oauthJobs } from '../modules/oauth/oauth.jobs.js';
import { syncJob } from '../modules/sync/sync.job.js';
import { webhookJobs } from '../modules/webhooks/webhooks.jobs.js';
import type { JobDefinition } from './worker.js';

/** Every job handler the worker runs. Each feature adds its definitions here. */
export function allJobs(deps: Deps): JobDefinition[] {
  return [...oauthJobs(deps), syncJob(deps.sync), ...webhookJobs(deps)];
}
