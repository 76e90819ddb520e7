import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { createHealthRepo } from './health.repo.js';
import { healthRoutes } from './health.routes.js';
import { createHealthService, type HealthService } from './health.service.js';

export type HealthDeps = Pick<Platform, 'env' | 'sqlite' | 'queue' | 'metrics'>;
export interface HealthServices {
  health: HealthService;
}

/** /healthz, /readyz and /metrics. */
export function healthModule(d: HealthDeps): Module<HealthServices> {
  const health = createHealthService({ env: d.env, queue: d.queue, repo: createHealthRepo(d.sqlite) });
  return { name: 'health', services: { health }, routes: [healthRoutes(health, d.metrics)] };
}
