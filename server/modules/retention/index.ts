import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { retentionJob } from './retention.job.js';
import { createRetentionRepo } from './retention.repo.js';
import { createRetention, type Retention } from './retention.service.js';

export type RetentionDeps = Pick<Platform, 'env' | 'clock' | 'queue' | 'tx' | 'logger' | 'metrics' | 'sqlite'>;
export interface RetentionServices {
  retention: Retention;
}

/** The daily retention job (RETENTION_* settings): old webhook bodies, finished jobs, OAuth states, activity, email HTML. */
export function retentionModule(d: RetentionDeps): Module<RetentionServices> {
  const retention = createRetention({ ...d, repo: createRetentionRepo(d.sqlite) });
  return {
    name: 'retention',
    services: { retention },
    jobs: [retentionJob(retention)],
    start() {
      retention.schedule(); // an idempotent enqueue: every process may make it at boot
      return () => {};
    },
  };
}
