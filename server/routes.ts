import { createApp } from './app.js';
import { createJtiRepo } from './http/auth-jtis.repo.js';
import type { Hono } from 'hono';
import type { AppEnv } from './http/env.js';
import type { Deps } from './deps.js';
import { activityRoutes } from './modules/activity/activity.routes.js';
import { agentsRouters } from './modules/agents/agents.deps.js';
import { createHealthRepo } from './modules/health/health.repo.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { createHealthService } from './modules/health/health.service.js';
import { mailRoutes } from './modules/mail/mail.routes.js';
import { templateRoutes } from './modules/mail/templates.routes.js';
import { createMirrorReadRepo } from './modules/mirror/mirror-read.repo.js';
import { mirrorRoutes } from './modules/mirror/mirror.routes.js';
import { notificationRoutes } from './modules/notifications/notify.routes.js';
import { oauthRoutes } from './modules/oauth/oauth.routes.js';
import { syncRoutes } from './modules/sync/sync.routes.js';
import { webhookRoutes } from './modules/webhooks/webhooks.routes.js';

/** Feature routers mounted by createApp. Each feature adds its router here. */
export function extraRoutes(deps: Deps): Hono<AppEnv>[] {
  return [
    healthRoutes(createHealthService({ env: deps.env, queue: deps.queue, repo: createHealthRepo(deps.sqlite) }), deps.metrics),
    activityRoutes(deps.activity),
    oauthRoutes(deps.oauth),
    syncRoutes(deps.sync),
    mirrorRoutes(createMirrorReadRepo(deps.sqlite)),
    webhookRoutes(deps.inbox, deps.triggers),
    mailRoutes(deps.mail, deps.db),
    templateRoutes(deps.mail.templates),
    notificationRoutes(deps.mail.notifications),
    ...agentsRouters(deps.agents),
  ];
}

/** The app for a deps container: its routes and the widget-auth replay store. */
export function appFor(deps: Deps) {
  return createApp({ ...deps, jtis: createJtiRepo(deps.sqlite) }, extraRoutes(deps));
}
