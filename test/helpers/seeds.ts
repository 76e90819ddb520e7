/**
 * Typed seeds that go through the repositories, as the app would write them (no raw INSERTs in tests).
 */
import type { AppModules } from '../../server/modules.js';
import type { Platform } from '../../server/platform.js';

type App = { p: Platform; m: AppModules };

/** An installed, connected account with a webhook secret (what an OAuth install leaves behind). */
export function seedAccount(w: App, a: { id: number; subdomain: string; webhookSecret: string; name?: string; host?: string }) {
  return w.m.accounts.services.accounts.upsertInstalled(
    {
      id: a.id,
      host: a.host ?? `${a.subdomain}.kommo.com`,
      subdomain: a.subdomain,
      name: a.name ?? a.subdomain,
      currentUserId: null,
      accessTokenEnc: w.p.encryptor.encrypt('unused'),
      refreshTokenEnc: w.p.encryptor.encrypt('unused'),
      tokenExpiresAt: w.p.clock.now() + 86_400_000,
      longLived: false,
      webhookSecret: a.webhookSecret,
    },
    w.p.clock.now(),
  );
}
