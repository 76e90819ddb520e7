import { createHmac } from 'node:crypto';
import { GuardedHttpError, guardedRequest } from '../../lib/guarded-http.js';
import { type NetGuard, NetGuardError } from '../../lib/net-guard.js';
import type { Clock } from '../../lib/clock.js';

/** A webhook the receiver should get again later (5xx, 429, a timeout): the rule run's job retries with backoff. */
export class RetryableWebhookError extends Error {
  readonly retryable = true;
}

export interface WebhookSenderDeps {
  clock: Clock;
  guard: NetGuard;
  /** The operator's switch: http:// and private hosts too (self-hosting, tests). */
  allowPrivate: boolean;
  timeoutMs: number;
  /** The key the per-account signing secrets are derived from (never stored, never shown but to admins). */
  key: Buffer;
}

/**
 * call_webhook: a POST signed as Standard Webhooks do (webhook-id, webhook-timestamp, webhook-signature
 * "v1,<base64 HMAC-SHA256 of id.timestamp.body>"), with a webhook-id that stays the same across retries so
 * the receiver can drop duplicates. The URL is SSRF-guarded before any connection.
 */
export function createWebhookSender(d: WebhookSenderDeps) {
  const secretBytes = (accountId: number) => createHmac('sha256', d.key).update(`rules-webhook:${accountId}`).digest();
  return {
    /** The account's signing secret in the Standard Webhooks format, for an admin to configure the receiver. */
    secret: (accountId: number) => `whsec_${secretBytes(accountId).toString('base64')}`,

    async send(accountId: number, url: string, id: string, body: unknown): Promise<number> {
      const payload = JSON.stringify(body);
      const ts = Math.floor(d.clock.now() / 1000);
      const signature = createHmac('sha256', secretBytes(accountId)).update(`${id}.${ts}.${payload}`).digest('base64');
      let status: number;
      try {
        const res = await guardedRequest({
          method: 'POST',
          url,
          body: payload,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'kommo-ai-agent-rules/1',
            'webhook-id': id,
            'webhook-timestamp': String(ts),
            'webhook-signature': `v1,${signature}`,
          },
          guard: d.guard,
          allowHttp: d.allowPrivate,
          timeoutMs: d.timeoutMs,
          maxResponseBytes: 4096,
        });
        status = res.status;
      } catch (err) {
        if (err instanceof NetGuardError) throw new Error(`refused: ${err.message}`);
        if (err instanceof GuardedHttpError && err.retryable) throw new RetryableWebhookError(`the webhook did not answer: ${err.message}`);
        throw err;
      }
      if (status >= 500 || status === 429) throw new RetryableWebhookError(`the webhook answered ${status}`);
      return status;
    },
  };
}
export type WebhookSender = ReturnType<typeof createWebhookSender>;
