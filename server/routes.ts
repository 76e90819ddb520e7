import type { Hono } from 'hono';
import type { AppEnv } from './app.js';
import type { Deps } from './deps.js';
import { mirrorRoutes } from './modules/mirror/mirror.routes.js';
import { oauthRoutes } from './modules/oauth/oauth.routes.js';
import { syncRoutes } from './modules/sync/sync.routes.js';

/** Feature routers mounted by createApp. Each feature adds its router here. */
export function extraRoutes(deps: Deps): Hono<AppEnv>[] {
  return [oauthRoutes(deps.oauth), syncRoutes(deps.sync), mirrorRoutes()];
}
