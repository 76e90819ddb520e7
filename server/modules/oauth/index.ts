import type { Module } from '../../module.js';
import { createLongLivedBootstrap } from './long-lived.js';
import { oauthJobs } from './oauth.jobs.js';
import { oauthRoutes } from './oauth.routes.js';
import { createOAuthService, type OAuthService, type OAuthServiceDeps } from './oauth.service.js';
import { createTokenSweep } from './token-sweep.js';
import { createWebhookRegistration } from './webhook-registration.js';

export type OAuthDeps = OAuthServiceDeps;
export interface OAuthServices {
  oauth: OAuthService;
}

/** Install (OAuth or a long-lived token), uninstall, webhook registration and the token sweep. */
export function oauthModule(d: OAuthDeps): Module<OAuthServices> {
  const oauth = createOAuthService(d);
  const sweep = createTokenSweep(d);
  const longLived = createLongLivedBootstrap({ ...d, oauth });
  return {
    name: 'oauth',
    services: { oauth },
    routes: [oauthRoutes(oauth)],
    jobs: oauthJobs({ webhooks: createWebhookRegistration(d), sweep, longLived }),
    start() {
      // Both are idempotent enqueues: every process may run them at boot.
      sweep.schedule();
      longLived.schedule();
      return () => {};
    },
  };
}
