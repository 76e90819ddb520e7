import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { enforce, type RateLimiter, type RateRule } from '../../http/rate-limit.js';
import { parseDpRequest, splitDpToken, type DpRequest } from '../../kommo/webhook/dp.js';
import { AppError, notFound, type FieldError } from '../../lib/errors.js';
import { JwtError, verifyJwt } from '../../lib/jwt.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { SalesbotRequestsRepo } from '../conversations/salesbot-requests.repo.js';
import type { InboxRepo } from './inbox.repo.js';

export const DP_QUEUE = 'webhook.dp';
export const SALESBOT_QUEUE = 'webhook.salesbot';
/** Continue a Salesbot that no agent will answer (no agent on the lead's stage, or agents stopped). */
export const SALESBOT_RELEASE_QUEUE = 'webhook.salesbot-release';

/**
 * What every Digital Pipeline request that is not verifiably the account's own gets: a wrong or missing
 * token, an unknown or disconnected account, an unknown path. One answer, so the endpoint tells nobody
 * which accounts are connected here.
 */
const DP_REFUSED = 'This Digital Pipeline request is not signed for its account. Open the trigger in Kommo and save it again.';

/** The DP action settings we keep (the manifest's `dp.settings`, without the token). */
const DP_SETTINGS_KEPT = ['agent_id', 'sequence_id'] as const;

/** Salesbot `data` we use; anything else the bot step sends is dropped before storing. */
const text = (max: number) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v).slice(0, max))
    .optional();
const salesbotData = z
  .object({
    message: text(8000),
    text: text(8000),
    message_text: text(8000),
    origin: text(50),
    lead_id: text(32),
    contact_id: text(32),
    agent_id: z.union([z.string().max(32), z.number(), z.null()]).optional(),
    talk_id: text(32),
    chat_id: text(64),
  })
  .strip();

const salesbotBody = z.object({
  token: z.string().min(10).max(8000),
  data: z.preprocess((v) => (v === undefined || Array.isArray(v) ? {} : v), salesbotData),
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
      throw new AppError('BAD_REQUEST', 'The Salesbot request body is not valid JSON', { errors: [{ field: '(body)', message: 'not valid JSON' }] });
    }
  }
  const p = new URLSearchParams(t);
  const data: Record<string, string> = {};
  for (const [k, v] of p) {
    const m = /^data\[([^\]]+)\]$/.exec(k);
    if (m) data[m[1]!] = v;
  }
  return { token: p.get('token') ?? undefined, return_url: p.get('return_url') ?? undefined, data };
}

/** `event[data][id]: expected a number` → the field and the message, for problem+json. */
function dpFieldError(error: string): FieldError {
  const i = error.indexOf(': ');
  return i > 0 ? { field: error.slice(0, i), message: error.slice(i + 2) } : { field: '(body)', message: error };
}

const digest = (s: string) => createHash('sha256').update(s).digest();
/** Equal-length digests, so the comparison takes the same time whatever was sent or stored. */
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

export type TriggersDeps = Pick<Platform, 'clock' | 'queue' | 'env' | 'groupTx' | 'metrics'> & {
  accounts: AccountsRepo;
  inbox: InboxRepo;
  salesbot: SalesbotRequestsRepo;
  /** Per-account budgets, counted once the account is verified. */
  limiter: RateLimiter;
};

/** Digital Pipeline triggers and Salesbot widget_requests: verify, persist, enqueue, answer at once. */
export function createTriggers(deps: TriggersDeps) {
  const { clock, queue, env, inbox } = deps;
  const hooksPerAccount: RateRule = { name: 'hooks-account', perMinute: env.RATE_LIMIT_HOOKS_PER_MIN };
  // Compared against when the account has no secret, so an unknown account costs the same work as a known one.
  const placeholder = randomBytes(32).toString('base64url');

  /** The manifest's integration-wide path secret: public (it ships in every archive), so it only routes, never authenticates. */
  const isGlobalSecret = (secret: string) => Boolean(env.WIDGET_HOOK_SECRET) && sameSecret(secret, env.WIDGET_HOOK_SECRET!);

  function refuseDp(reason: string): never {
    deps.metrics.inc('dp_requests_refused_total', 'Digital Pipeline requests refused, by reason', { reason });
    throw new AppError('UNAUTHORIZED', DP_REFUSED);
  }

  /**
   * The account a DP request is for, verified: the body names it (Kommo does not sign DP requests), and
   * the action's settings must carry that account's own DP token. Either path form routes to it: the
   * manifest's `/webhooks/dp/<WIDGET_HOOK_SECRET>` or the account's own `/webhooks/dp/<webhook secret>`.
   */
  function verifyDp(pathSecret: string, r: DpRequest, token: string | null): number {
    const row = deps.accounts.dpSecretOf(r.accountId);
    const known = row?.status === 'connected' && Boolean(row.dpSecret);
    const tokenOk = sameSecret(token ?? '', known ? row!.dpSecret! : placeholder);
    const pathOk = isGlobalSecret(pathSecret) || deps.accounts.idBySecret(pathSecret) === r.accountId;
    if (!pathOk) refuseDp('path');
    if (!known) refuseDp('account');
    if (!token) refuseDp('no_token');
    if (!tokenOk) refuseDp('token');
    return r.accountId;
  }

  async function ingestDp(pathSecret: string, body: string, contentType: string | null) {
    const parsed = parseDpRequest(body, contentType);
    if (!parsed.ok) {
      const e = dpFieldError(parsed.error);
      throw new AppError('BAD_REQUEST', `Malformed Digital Pipeline request: ${parsed.error}`, { errors: [e] });
    }
    const { token, rest } = splitDpToken(parsed.request.widgetSettings);
    const accountId = verifyDp(pathSecret, parsed.request, token);
    enforce(deps.limiter, [{ rule: hooksPerAccount, key: String(accountId) }]);

    // Only what we parsed is kept: never the raw body, never the token.
    const kept: Record<string, unknown> = {};
    for (const k of DP_SETTINGS_KEPT) {
      const v = rest[k];
      if (typeof v === 'string' || typeof v === 'number') kept[k] = String(v).slice(0, 32);
    }
    const r: DpRequest = { accountId, subdomain: parsed.request.subdomain.slice(0, 100), event: parsed.request.event, widgetSettings: kept };
    const payload = JSON.stringify(r);
    // Kommo retries a DP request, and a stage can fire twice: the same lead entering the same stage
    // within the window is one trigger. Checked before anything is written.
    const prefix = `dp:${r.event.leadId}:${r.event.statusId ?? '-'}:`;
    return deps.groupTx(() => {
      const now = clock.now();
      if (inbox.hasKeyPrefixSince(accountId, prefix, now - env.DP_DEDUPE_WINDOW_MS)) return { accepted: 0, duplicates: 1 };
      const delivery = inbox.insertDelivery({ accountId, source: 'dp', contentType: 'application/json', body: payload, eventCount: 1, now });
      const eventId = inbox.insertEvent({
        accountId,
        deliveryId: delivery,
        eventKey: `${prefix}${now}`,
        kind: 'dp',
        action: r.event.typeCode.slice(0, 64),
        entityId: String(r.event.leadId),
        payload,
        status: 'received',
        now,
      });
      if (eventId === null) return { accepted: 0, duplicates: 1 };
      queue.enqueue({
        queue: DP_QUEUE,
        accountId,
        payload: { eventId },
        idempotencyKey: `dp:${eventId}`,
        serialKey: `lead:${accountId}:${r.event.leadId}`,
      });
      return { accepted: 1, duplicates: 0 };
    });
  }

  /**
   * The account's DP token, for the widget to write into the DP action's settings. Accounts installed
   * before per-account tokens existed get theirs here, on first use. Undefined for an unknown account.
   */
  function dpToken(accountId: number): string | undefined {
    return deps.accounts.ensureDpSecret(accountId);
  }

  /** Salesbot `widget_request`: a JWT signed with our client secret (HS256 or HS512), answered within 2 s. */
  async function ingestSalesbot(secret: string, body: string) {
    const global = isGlobalSecret(secret);
    const perAccount = global ? undefined : deps.accounts.bySecret(secret);
    if (!global && !perAccount) throw notFound('Salesbot handler');
    if (!env.KOMMO_CLIENT_SECRET || !env.KOMMO_CLIENT_ID)
      throw new AppError('NOT_CONFIGURED', 'Kommo integration is not configured: set KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET');
    const b = salesbotBody.safeParse(parseLooseBody(body));
    if (!b.success) {
      const errors = b.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
      throw new AppError('BAD_REQUEST', `Malformed Salesbot request: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
    }
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
    // The account comes from the verified token; a per-account path must agree with it.
    const account = perAccount ?? deps.accounts.byId(claims.account_id);
    if (account?.status !== 'connected') throw notFound('Salesbot handler');
    if (claims.account_id !== account.id) throw new AppError('FORBIDDEN', 'The Salesbot token is for another account');
    enforce(deps.limiter, [{ rule: hooksPerAccount, key: String(account.id) }]);
    const returnHost = new URL(b.data.return_url).host;
    if (returnHost !== account.host)
      throw new AppError('BAD_REQUEST', `return_url must point at ${account.host}`, { errors: [{ field: 'return_url', message: `not on ${account.host}` }] });
    const leadId = claims.entity_type === undefined || claims.entity_type === 2 ? (claims.entity_id ?? null) : null;
    const data = Object.fromEntries(Object.entries(b.data.data).filter(([, v]) => v !== undefined));
    return deps.groupTx(() => {
      const now = clock.now();
      inbox.insertDelivery({
        accountId: account.id,
        source: 'salesbot',
        contentType: 'application/json',
        body: JSON.stringify({ data, return_url: b.data.return_url }),
        eventCount: 1,
        now,
      });
      const requestId = deps.salesbot.insertRequest({ accountId: account.id, leadId, returnUrl: b.data.return_url, data });
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

  return { ingestDp, ingestSalesbot, dpToken };
}

export type Triggers = ReturnType<typeof createTriggers>;
