import type { MiddlewareHandler } from 'hono';
import type { AppEnv, WidgetAuth } from './env.js';

/** What the access module provides; the http layer only knows this shape. */
export interface AdminCheck {
  requireAdmin(auth: WidgetAuth): Promise<void>;
}

/** A configuration route: only account admins get past it (403 problem+json otherwise). */
export const adminOnly =
  (access: AdminCheck): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    await access.requireAdmin(c.get('auth'));
    await next();
  };

/** Lead-level checks (Kommo rights), for routes about one lead. */
export interface LeadCheck {
  isAdmin(auth: WidgetAuth): Promise<boolean>;
  requireLeadView(auth: WidgetAuth, leadId: number): Promise<void>;
  requireLeadEdit(auth: WidgetAuth, leadId: number): Promise<void>;
}

export type AccessCheck = AdminCheck & LeadCheck;
