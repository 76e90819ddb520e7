import type { AccessCheck } from '../../http/guards.js';
import type { Module } from '../../module.js';
import { syncJob } from './sync.job.js';
import { syncRoutes } from './sync.routes.js';
import { createSyncService, type SyncService, type SyncServiceDeps } from './sync.service.js';

export type SyncDeps = SyncServiceDeps & { access: AccessCheck };
export interface SyncServices {
  sync: SyncService;
}

/** Kommo → mirror: full and incremental syncs as a resumable job with progress. */
export function syncModule(d: SyncDeps): Module<SyncServices> {
  const sync = createSyncService(d);
  return { name: 'sync', services: { sync }, routes: [syncRoutes(sync, d.access)], jobs: [syncJob(sync)] };
}
