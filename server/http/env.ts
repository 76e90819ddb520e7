import type { WidgetAuth } from './widget-auth.js';

/** Hono's per-request variables, and nothing else: services reach routes as arguments. */
export type AppEnv = {
  Variables: { requestId: string; auth: WidgetAuth };
};
