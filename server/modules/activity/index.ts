import type { AccessCheck } from '../../http/guards.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { activityRoutes } from './activity.routes.js';
import { createActivityService, type ActivityService } from './activity.service.js';
import { type Audit, createAudit } from './audit.js';

export type { ActivityService } from './activity.service.js';
export type { Audit } from './audit.js';
export type ActivityDeps = Pick<Platform, 'db' | 'clock' | 'logger'> & { access: AccessCheck; userName?: (accountId: number, userId: number) => string | null };
export interface ActivityServices {
  activity: ActivityService;
  /** The configuration audit: a middleware for every configuration route. */
  audit: Audit;
}

/** The activity feed: every module writes to it (inside its own transaction); the widget reads it. */
export function activityModule(d: ActivityDeps): Module<ActivityServices> {
  const activity = createActivityService(d);
  const audit = createAudit({ activity, logger: d.logger, userName: d.userName });
  return { name: 'activity', services: { activity, audit }, routes: [activityRoutes(activity, d.access)] };
}
