import { RateLimiter } from '../../http/rate-limit.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { createLongLivedBootstrap } from './long-lived.js';
import { oauthJobs } from './oauth.jobs.js';
import { oauthRoutes } from './oauth.routes.js';
import { createOAuthService, type OAuthService, type OAuthServiceDeps } from './oauth.service.js';
import { createTokenSweep } from './token-sweep.js';
import { createUninstall, type Uninstall } from './uninstall.service.js';
import { createWebhookRegistration } from './webhook-registration.js';

export type OAuthDeps = OAuthServiceDeps & Pick<Platform, 'logger'>;
export interface OAuthServices {
  oauth: OAuthService;
  uninstall: Uninstall;
}

/** Install (OAuth or a long-lived token), uninstall, webhook registration and the token sweep. */
export function oauthModule(d: OAuthDeps): Module<OAuthServices> {
  const oauth = createOAuthService(d);
  const uninstall = createUninstall({ ...d, limiter: new RateLimiter({ clock: d.clock, maxKeys: d.env.RATE_LIMIT_MAX_KEYS }) });
  const sweep = createTokenSweep(d);
  const longLived = createLongLivedBootstrap({ ...d, oauth });
  return {
    name: 'oauth',
    services: { oauth, uninstall },
    routes: [oauthRoutes(oauth, uninstall)],
    jobs: oauthJobs({ webhooks: createWebhookRegistration(d), sweep, longLived, uninstall }),
    start() {
      // Both are idempotent enqueues: every process may run them at boot.
      sweep.schedule();
      longLived.schedule();
      return () => {};
    },
  };
}
