import type { Deps } from '../deps.js';
import { agentsJobs } from '../modules/agents/agents.deps.js';
import { mailJobs } from '../modules/mail/mail.jobs.js';
import { longLivedJob } from '../modules/oauth/long-lived.js';
import { oauthJobs } from '../modules/oauth/oauth.jobs.js';
import { syncJob } from '../modules/sync/sync.job.js';
import { webhookJobs } from '../modules/webhooks/webhooks.jobs.js';
import type { JobDefinition } from './worker.js';

/** Every job handler the worker runs. Each feature adds its definitions here. */
export function allJobs(deps: Deps): JobDefinition[] {
  return [...oauthJobs(deps), longLivedJob(deps), syncJob(deps.sync), ...webhookJobs(deps), ...mailJobs(deps.mail), ...agentsJobs(deps.agents)];
}
