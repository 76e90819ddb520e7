import type { Platform } from '../../platform.js';
import type { KommoServices } from '../kommo/index.js';
import { TOKEN_SWEEP_QUEUE } from './oauth.queues.js';

/** How often the sweep runs, and how far ahead of expiry it refreshes (access tokens live 24 h). */
const SWEEP_EVERY_MS = 60 * 60_000;
const SWEEP_WITHIN_MS = 6 * 60 * 60_000;

/** Refresh tokens ahead of expiry on a schedule, so a refresh token never lapses unused. */
export function createTokenSweep(deps: Pick<Platform, 'clock' | 'queue'> & { kommo: Pick<KommoServices, 'vault'> }) {
  /** Idempotent per time slot: every process may call this at boot; one sweep per hour runs. */
  const schedule = (slot = Math.floor(deps.clock.now() / SWEEP_EVERY_MS)) =>
    void deps.queue.enqueue({ queue: TOKEN_SWEEP_QUEUE, payload: { slot }, idempotencyKey: `sweep:${slot}`, runAt: slot * SWEEP_EVERY_MS, maxAttempts: 3 });
  return {
    schedule,
    /** This slot's sweep, then the next one's schedule. */
    async run(slot: number): Promise<void> {
      await deps.kommo.vault.refreshDue(SWEEP_WITHIN_MS);
      schedule(slot + 1);
    },
  };
}

export type TokenSweep = ReturnType<typeof createTokenSweep>;
