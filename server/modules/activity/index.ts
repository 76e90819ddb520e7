import type { AccessCheck } from '../../http/guards.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { activityRoutes } from './activity.routes.js';
import { createActivityService, type ActivityService } from './activity.service.js';

export type { ActivityService } from './activity.service.js';
export type ActivityDeps = Pick<Platform, 'db' | 'clock'> & { access: AccessCheck };
export interface ActivityServices {
  activity: ActivityService;
}

/** The activity feed: every module writes to it (inside its own transaction); the widget reads it. */
export function activityModule(d: ActivityDeps): Module<ActivityServices> {
  const activity = createActivityService(d);
  return { name: 'activity', services: { activity }, routes: [activityRoutes(activity, d.access)] };
}
