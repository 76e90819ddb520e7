import type { Hono } from 'hono';
import type { AppEnv } from './app.js';
import type { Deps } from './deps.js';

/** Feature routers mounted by createApp. Each feature adds its router here. */
export function extraRoutes(_deps: Deps): Hono<AppEnv>[] {
  return [];
}
