import type { Hono } from 'hono';
import type { AppEnv } from './app.js';
import type { Deps } from './deps.js';
import { agentsRouters } from './modules/agents/agents.deps.js';
import { mailRoutes } from './modules/mail/mail.routes.js';
import { templateRoutes } from './modules/mail/templates.routes.js';
import { mirrorRoutes } from './modules/mirror/mirror.routes.js';
import { notificationRoutes } from './modules/notifications/notify.routes.js';
import { oauthRoutes } from './modules/oauth/oauth.routes.js';
import { syncRoutes } from './modules/sync/sync.routes.js';
import { webhookRoutes } from './modules/webhooks/webhooks.routes.js';

/** Feature routers mounted by createApp. Each feature adds its router here. */
export function extraRoutes(deps: Deps): Hono<AppEnv>[] {
  return [oauthRoutes(deps.oauth), syncRoutes(deps.sync), mirrorRoutes(), webhookRoutes(deps.inbox, deps.triggers), mailRoutes(), templateRoutes(), notificationRoutes(), ...agentsRouters(deps.agents)];
}
