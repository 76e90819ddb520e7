import { z } from 'zod';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { SalesbotRequestsRepo } from '../conversations/salesbot-requests.repo.js';
import type { InboxRepo } from './inbox.repo.js';
import { parseDpRequest } from '../../kommo/webhook/dp.js';
import { AppError, notFound } from '../../lib/errors.js';
import { JwtError, verifyJwt } from '../../lib/jwt.js';
import { timingSafeEqual } from 'node:crypto';

export const DP_QUEUE = 'webhook.dp';
export const SALESBOT_QUEUE = 'webhook.salesbot';
/** Continue a Salesbot that no agent will answer (no agent on the lead's stage, or agents stopped). */
export const SALESBOT_RELEASE_QUEUE = 'webhook.salesbot-release';

const salesbotBody = z.object({
  token: z.string().min(10).max(8000),
  data: z.record(z.unknown()).default({}),
  return_url: z.string().url().max(2000),
});

const salesbotClaims = z.object({
  account_id: z.coerce.number().int().positive(),
  client_uuid: z.string(),
  entity_id: z.coerce.number().int().positive().optional(),
  entity_type: z.coerce.number().int().optional(),
  exp: z.number(),
});

function parseLooseBody(body: string): unknown {
  const t = body.trim();
  if (t.startsWith('{')) {
    try {
      return JSON.parse(t);
    } catch {
      throw new AppError('BAD_REQUEST', 'The Salesbot request body is not valid JSON');
    }
  }
  const p = new URLSearchParams(t);
  const data: Record<string, string> = {};
  for (const [k, v] of p) {
    const m = /^data\[([^\]]+)\]$/.exec(k);
    if (m) data[m[1]!] = v;
  }
  return { token: p.get('token'), return_url: p.get('return_url'), data };
}

/** Digital Pipeline triggers and Salesbot widget_requests: verify, persist, enqueue, answer at once. */
export function createTriggers(
  deps: Pick<Platform, 'clock' | 'queue' | 'env' | 'groupTx'> & { accounts: AccountsRepo; inbox: InboxRepo; salesbot: SalesbotRequestsRepo },
) {
  const { clock, queue, env, inbox } = deps;

  /**
   * The widget's manifest carries one URL for every account (WIDGET_HOOK_SECRET), so there the account
   * comes from the request: for Salesbot it is signed; a DP request is unsigned, which is why the DP
   * job re-reads the lead from Kommo and never trusts the request's stage.
   */
  const isGlobalSecret = (secret: string) =>
    Boolean(env.WIDGET_HOOK_SECRET) &&
    secret.length === env.WIDGET_HOOK_SECRET!.length &&
    timingSafeEqual(Buffer.from(secret), Buffer.from(env.WIDGET_HOOK_SECRET!));
  function resolveAccount(secret: string, claimedAccountId: number | undefined) {
    const account = isGlobalSecret(secret) ? (claimedAccountId ? deps.accounts.byId(claimedAccountId) : undefined) : deps.accounts.bySecret(secret);
    return account && account.status === 'connected' ? account : undefined;
  }

  async function ingestDp(secret: string, body: string, contentType: string | null) {
    const parsed = parseDpRequest(body, contentType);
    const account = resolveAccount(secret, parsed.ok ? parsed.request.accountId : undefined);
    if (!account) throw notFound('Webhook destination');
    if (!parsed.ok) throw new AppError('BAD_REQUEST', `Malformed Digital Pipeline request: ${parsed.error}`);
    const r = parsed.request;
    if (r.accountId !== account.id) throw new AppError('FORBIDDEN', `account_id ${r.accountId} does not belong to this webhook URL`);
    return deps.groupTx(() => {
      const now = clock.now();
      const delivery = inbox.insertDelivery({ accountId: account.id, source: 'dp', contentType, body, eventCount: 1, now });
      // Kommo retries a DP request up to 4 times in an hour: the same trigger is one event.
      const key = `dp:${r.event.leadId}:${r.event.typeCode}:${r.event.statusId ?? '-'}:${r.event.time ?? delivery}`;
      const eventId = inbox.insertEvent({
        accountId: account.id,
        deliveryId: delivery,
        eventKey: key,
        kind: 'dp',
        action: r.event.typeCode,
        entityId: String(r.event.leadId),
        payload: JSON.stringify(r),
        status: 'received',
        now,
      });
      if (eventId === null) return { accepted: 0, duplicates: 1 };
      queue.enqueue({
        queue: DP_QUEUE,
        accountId: account.id,
        payload: { eventId },
        idempotencyKey: `dp:${eventId}`,
        serialKey: `lead:${account.id}:${r.event.leadId}`,
      });
      return { accepted: 1, duplicates: 0 };
    });
  }

  /** Salesbot `widget_request`: a JWT signed with our client secret (HS256 or HS512), answered within 2 s. */
  async function ingestSalesbot(secret: string, body: string) {
    const global = isGlobalSecret(secret);
    const perAccount = global ? undefined : deps.accounts.bySecret(secret);
    if (!global && !perAccount) throw notFound('Salesbot handler');
    if (!env.KOMMO_CLIENT_SECRET || !env.KOMMO_CLIENT_ID)
      throw new AppError('NOT_CONFIGURED', 'Kommo integration is not configured: set KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET');
    const b = salesbotBody.safeParse(parseLooseBody(body));
    if (!b.success)
      throw new AppError('BAD_REQUEST', `Malformed Salesbot request: ${b.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    let claims: z.infer<typeof salesbotClaims>;
    try {
      const raw = verifyJwt(b.data.token, env.KOMMO_CLIENT_SECRET, { algorithms: ['HS256', 'HS512'], nowSec: Math.floor(clock.now() / 1000) });
      const c = salesbotClaims.safeParse(raw);
      if (!c.success) throw new JwtError(`missing or invalid claim ${String(c.error.issues[0]?.path[0])}`);
      claims = c.data;
    } catch (err) {
      if (err instanceof JwtError) throw new AppError('UNAUTHORIZED', `Invalid Salesbot token: ${err.message}`);
      throw err;
    }
    if (claims.client_uuid !== env.KOMMO_CLIENT_ID) throw new AppError('UNAUTHORIZED', 'Invalid Salesbot token: issued for another integration');
    const account = perAccount ?? resolveAccount(secret, claims.account_id);
    if (!account) throw notFound('Salesbot handler');
    if (claims.account_id !== account.id) throw new AppError('FORBIDDEN', 'The Salesbot token is for another account');
    const returnHost = new URL(b.data.return_url).host;
    if (returnHost !== account.host) throw new AppError('BAD_REQUEST', `return_url must point at ${account.host}`);
    const leadId = claims.entity_type === undefined || claims.entity_type === 2 ? (claims.entity_id ?? null) : null;
    return deps.groupTx(() => {
      const now = clock.now();
      inbox.insertDelivery({
        accountId: account.id,
        source: 'salesbot',
        contentType: 'application/json',
        body: JSON.stringify({ data: b.data.data, return_url: b.data.return_url }),
        eventCount: 1,
        now,
      });
      const requestId = deps.salesbot.insertRequest({ accountId: account.id, leadId, returnUrl: b.data.return_url, data: b.data.data });
      queue.enqueue({
        queue: SALESBOT_QUEUE,
        accountId: account.id,
        payload: { requestId },
        idempotencyKey: `salesbot:${requestId}`,
        serialKey: leadId ? `lead:${account.id}:${leadId}` : undefined,
      });
      return { requestId };
    });
  }

  return { ingestDp, ingestSalesbot };
}

export type Triggers = ReturnType<typeof createTriggers>;
