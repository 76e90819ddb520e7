import type { BaseDeps } from './deps.js';
import { createKommoDeps, type KommoDeps } from './kommo/kommo.deps.js';
import { createMirrorRepo, type MirrorRepo } from './modules/mirror/mirror.repo.js';
import { createOAuthService, type OAuthService } from './modules/oauth/oauth.service.js';
import { createSyncService, type SyncService } from './modules/sync/sync.service.js';

/** Services of the feature modules, built on the base dependencies. Each feature adds its own here. */
export interface FeatureDeps {
  kommo: KommoDeps;
  mirror: MirrorRepo;
  sync: SyncService;
  oauth: OAuthService;
}

export function createFeatureDeps(base: BaseDeps): FeatureDeps {
  const kommo = createKommoDeps(base);
  const mirror = createMirrorRepo(base.sqlite);
  const sync = createSyncService({ ...base, kommo, mirror });
  const oauth = createOAuthService({ ...base, kommo, sync });
  return { kommo, mirror, sync, oauth };
}
