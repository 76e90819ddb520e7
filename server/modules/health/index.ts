import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import { createHealthRepo } from './health.repo.js';
import { healthRoutes } from './health.routes.js';
import { createHealthService, type HealthService } from './health.service.js';
import { createStatusService, type StatusService } from './status.service.js';

export type HealthDeps = Pick<Platform, 'env' | 'sqlite' | 'queue' | 'metrics' | 'clock'> & { accounts: AccountsRepo };
export interface HealthServices {
  health: HealthService;
  status: StatusService;
}

/** The front page (GET /), /healthz, /readyz and /metrics. */
export function healthModule(d: HealthDeps): Module<HealthServices> {
  const health = createHealthService({ env: d.env, queue: d.queue, repo: createHealthRepo(d.sqlite) });
  const status = createStatusService({ env: d.env, clock: d.clock, queue: d.queue, connectedAccounts: () => d.accounts.connectedCount() });
  return { name: 'health', services: { health, status }, routes: [healthRoutes(health, status, d.metrics, d.env)] };
}
