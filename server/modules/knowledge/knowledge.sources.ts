import { isIP } from 'node:net';
import type { Db } from '../../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { JobContext } from '../../jobs/worker.js';
import type { Clock } from '../../lib/clock.js';
import { GuardedHttpError } from '../../lib/guarded-http.js';
import { classifyAddress, type NetGuard, NetGuardError } from '../../lib/net-guard.js';
import type { Lang } from '../../lib/i18n.js';
import { fetchPage, HopRefused, PageError } from './knowledge.fetch.js';
import { formatOf, ParseError, parseFile } from './knowledge.parse.js';
import { getEntry, updateEntry } from './knowledge.repo.js';
import type { ImportUrlInput, UploadInput } from './knowledge.schemas.js';
import { chunksOf, fieldError, type KnowledgeService } from './knowledge.service.js';
import { say } from './knowledge.texts.js';

export const KNOWLEDGE_IMPORT_QUEUE = 'knowledge.import_url';

const PARSE_TEXT = {
  format: 'fileNotFormat',
  broken: 'fileBroken',
  empty: 'fileEmpty',
  budget: 'fileBudget',
  too_long: 'fileTooLong',
  unzipped: 'fileUnzipped',
} as const satisfies Record<ParseError['reason'], string>;

/** A guard's refusal of `host`, in `lang`. */
function refusal(lang: Lang, host: string, err: NetGuardError): string {
  if (err.reason === 'port') return say(lang, 'urlPort');
  if (err.reason === 'unresolvable') return say(lang, 'urlUnresolvable', { host });
  return err.addressClass ? say(lang, 'urlInternal', { host, kind: err.addressClass }) : say(lang, 'urlScheme');
}

export interface KnowledgeSourceLimits {
  /** KNOWLEDGE_ALLOW_PRIVATE_HOSTS: http:// and loopback/private hosts may be imported (self-hosting, tests). */
  allowPrivate: boolean;
  urlTimeoutMs: number;
  urlMaxBytes: number;
  uploadMaxBytes: number;
  parseBudgetMs: number;
  /** Text of one source, after conversion. */
  maxChars: number;
}

export interface KnowledgeSourcesDeps {
  db: Db;
  clock: Clock;
  tx<T>(fn: () => T): T;
  queue: JobQueue;
  guard: NetGuard;
  knowledge: KnowledgeService;
  limits: KnowledgeSourceLimits;
}

/** Imports from outside: a web page (a durable job, fetched through the SSRF guard) and an uploaded file. */
export function createKnowledgeSources(d: KnowledgeSourcesDeps) {
  const { limits } = d;

  /**
   * What can be told before queueing, so the admin gets a 422 naming `url` at once: the scheme, credentials,
   * and where the host resolves. The job resolves again and connects only to the address it checked.
   */
  async function checkUrl(raw: string, lang: Lang): Promise<URL> {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && !(limits.allowPrivate && url.protocol === 'http:'))
      throw fieldError(lang, 'url', say(lang, limits.allowPrivate ? 'urlSchemeHttp' : 'urlScheme'));
    if (url.username || url.password) throw fieldError(lang, 'url', say(lang, 'urlCredentials'));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !limits.allowPrivate && classifyAddress(host) !== 'public')
      throw fieldError(lang, 'url', say(lang, 'urlInternal', { host, kind: classifyAddress(host) }));
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    try {
      await d.guard.resolve(url.hostname, port, [443]); // the ports guardedRequest allows a public host
    } catch (err) {
      if (err instanceof NetGuardError) throw fieldError(lang, 'url', refusal(lang, host, err));
      throw err;
    }
    return url;
  }

  /** Why a URL import failed, in the admin's language. */
  function failure(lang: Lang, err: unknown): string {
    if (err instanceof HopRefused) return refusal(lang, err.host, err.refusal);
    if (err instanceof PageError) return say(lang, err.text.key, err.text.vars);
    if (err instanceof GuardedHttpError && /^no answer within/.test(err.message)) return say(lang, 'pageTimeout', { ms: limits.urlTimeoutMs });
    return say(lang, 'pageUnreachable', { reason: (err instanceof Error ? err.message : String(err)).slice(0, 200) });
  }

  const fail = (accountId: number, entryId: number, why: string) =>
    d.tx(() => updateEntry(d.db, accountId, entryId, { status: 'failed', error: why.slice(0, 500) }, null, d.clock.now()));

  return {
    /** Queue a URL import: the entry exists at once as `pending`, and the job fills it in. */
    async importUrl(accountId: number, input: ImportUrlInput, lang: Lang = 'en') {
      const url = await checkUrl(input.url, lang);
      return d.tx(() => {
        const entry = d.knowledge.store(
          accountId,
          { kind: 'url', title: input.title ?? url.href.slice(0, 200), content: '', source: url.href, status: 'pending' },
          input.agentIds ?? [],
          lang,
        );
        d.queue.enqueue({
          queue: KNOWLEDGE_IMPORT_QUEUE,
          accountId,
          payload: { accountId, entryId: entry.id, lang },
          idempotencyKey: `knowledge-url:${entry.id}`,
          maxAttempts: 3,
        });
        return entry;
      });
    },

    /**
     * The job: fetch and convert outside any transaction, then store the text and its chunks in one
     * short one. A page that is refused, too large or not text fails the entry (with the reason); a
     * timeout or a 5xx is retried by the queue, and fails the entry on the last attempt.
     */
    async runImport(p: { accountId: number; entryId: number; lang?: Lang }, ctx: JobContext) {
      const lang = p.lang ?? 'en';
      const e = getEntry(d.db, p.accountId, p.entryId);
      if (e?.status !== 'pending' || !e.source) return; // deleted, or done by an earlier run
      let page: Awaited<ReturnType<typeof fetchPage>>;
      try {
        page = await fetchPage(e.source, { guard: d.guard, allowHttp: limits.allowPrivate, timeoutMs: limits.urlTimeoutMs, maxBytes: limits.urlMaxBytes });
      } catch (err) {
        const retryable =
          (err instanceof GuardedHttpError && err.retryable) ||
          (err instanceof PageError && err.retryable) ||
          (err instanceof HopRefused && err.refusal.reason === 'unresolvable'); // DNS may be back on the next try
        if (retryable && ctx.job.attempts < ctx.job.maxAttempts) throw err;
        fail(p.accountId, p.entryId, failure(lang, err));
        return;
      }
      const text = page.text.trim();
      if (!text) return void fail(p.accountId, p.entryId, say(lang, 'pageEmpty'));
      if (text.length > limits.maxChars) return void fail(p.accountId, p.entryId, say(lang, 'pageTooLong', { max: limits.maxChars }));
      const chunks = chunksOf('url', text);
      d.tx(() => {
        const now = getEntry(d.db, p.accountId, p.entryId);
        if (now?.status !== 'pending') return;
        // The page's own title replaces the URL placeholder, never a title the admin typed.
        const title = now.title === now.source?.slice(0, 200) && page.title ? page.title.slice(0, 200) : now.title;
        updateEntry(d.db, p.accountId, p.entryId, { title, content: text, status: 'ready', error: null }, chunks, d.clock.now());
        ctx.complete();
      });
    },

    /** An uploaded file, parsed within the time budget before the (short) write transaction. */
    async upload(accountId: number, input: UploadInput, lang: Lang = 'en') {
      const format = formatOf(input.fileName);
      if (!format) throw fieldError(lang, 'fileName', say(lang, 'fileType'));
      const bytes = Buffer.from(input.contentBase64, 'base64');
      if (bytes.length > limits.uploadMaxBytes)
        throw fieldError(lang, 'contentBase64', say(lang, 'fileTooLarge', { kb: Math.round(limits.uploadMaxBytes / 1024) }));
      const agentIds = d.knowledge.checkAgents(accountId, input.agentIds ?? [], lang);
      let parsed: Awaited<ReturnType<typeof parseFile>>;
      try {
        parsed = await parseFile(format, bytes, { budgetMs: limits.parseBudgetMs, maxChars: limits.maxChars });
      } catch (err) {
        if (err instanceof ParseError) throw fieldError(lang, 'contentBase64', say(lang, PARSE_TEXT[err.reason], err.vars));
        throw err;
      }
      const title = (input.title ?? input.fileName.replace(/\.[a-z0-9]+$/i, '')).slice(0, 200);
      return d.knowledge.store(
        accountId,
        { kind: parsed.shape === 'table' ? 'table' : 'file', title, content: parsed.text, source: input.fileName },
        agentIds,
        lang,
      );
    },
  };
}

export type KnowledgeSources = ReturnType<typeof createKnowledgeSources>;
