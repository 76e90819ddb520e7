import type { Module } from '../../module.js';
import { longLivedJob, scheduleLongLivedBootstrap } from './long-lived.js';
import { oauthJobs, scheduleTokenSweep } from './oauth.jobs.js';
import { oauthRoutes } from './oauth.routes.js';
import { createOAuthService, type OAuthService, type OAuthServiceDeps } from './oauth.service.js';

export type OAuthDeps = OAuthServiceDeps;
export interface OAuthServices {
  oauth: OAuthService;
}

/** Install (OAuth or a long-lived token), uninstall, webhook registration and the token sweep. */
export function oauthModule(d: OAuthDeps): Module<OAuthServices> {
  const oauth = createOAuthService(d);
  return {
    name: 'oauth',
    services: { oauth },
    routes: [oauthRoutes(oauth)],
    jobs: [...oauthJobs(d), longLivedJob({ ...d, oauth })],
    start() {
      // Both are idempotent enqueues: every process may run them at boot.
      scheduleTokenSweep(d);
      scheduleLongLivedBootstrap(d);
      return () => {};
    },
  };
}
