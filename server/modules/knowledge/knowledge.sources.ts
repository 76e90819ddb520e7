import { isIP } from 'node:net';
import type { Db } from '../../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { JobContext } from '../../jobs/worker.js';
import type { Clock } from '../../lib/clock.js';
import { GuardedHttpError } from '../../lib/guarded-http.js';
import { classifyAddress, type NetGuard, NetGuardError } from '../../lib/net-guard.js';
import { fetchPage, PageError } from './knowledge.fetch.js';
import { formatOf, ParseError, parseFile } from './knowledge.parse.js';
import { getEntry, updateEntry } from './knowledge.repo.js';
import type { ImportUrlInput, UploadInput } from './knowledge.schemas.js';
import { chunksOf, fieldError, type KnowledgeService } from './knowledge.service.js';
import { texts } from './knowledge.texts.js';

export const KNOWLEDGE_IMPORT_QUEUE = 'knowledge.import_url';

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
  async function checkUrl(raw: string): Promise<URL> {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && !(limits.allowPrivate && url.protocol === 'http:')) throw fieldError('url', texts.urlScheme(limits.allowPrivate));
    if (url.username || url.password) throw fieldError('url', texts.urlCredentials);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !limits.allowPrivate && classifyAddress(host) !== 'public')
      throw fieldError('url', texts.urlRefused(`${host} is a ${classifyAddress(host)} address`));
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    try {
      await d.guard.resolve(url.hostname, port, [443]); // the ports guardedRequest allows a public host
    } catch (err) {
      if (err instanceof NetGuardError) throw fieldError('url', texts.urlRefused(err.message));
      throw err;
    }
    return url;
  }

  const fail = (accountId: number, entryId: number, why: string) =>
    d.tx(() => updateEntry(d.db, accountId, entryId, { status: 'failed', error: why.slice(0, 500) }, null, d.clock.now()));

  return {
    /** Queue a URL import: the entry exists at once as `pending`, and the job fills it in. */
    async importUrl(accountId: number, input: ImportUrlInput) {
      const url = await checkUrl(input.url);
      return d.tx(() => {
        const entry = d.knowledge.store(
          accountId,
          { kind: 'url', title: input.title ?? url.href.slice(0, 200), content: '', source: url.href, status: 'pending' },
          input.agentIds ?? [],
        );
        d.queue.enqueue({
          queue: KNOWLEDGE_IMPORT_QUEUE,
          accountId,
          payload: { accountId, entryId: entry.id },
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
    async runImport(p: { accountId: number; entryId: number }, ctx: JobContext) {
      const e = getEntry(d.db, p.accountId, p.entryId);
      if (e?.status !== 'pending' || !e.source) return; // deleted, or done by an earlier run
      let page: Awaited<ReturnType<typeof fetchPage>>;
      try {
        page = await fetchPage(e.source, { guard: d.guard, allowHttp: limits.allowPrivate, timeoutMs: limits.urlTimeoutMs, maxBytes: limits.urlMaxBytes });
      } catch (err) {
        const retryable =
          (err instanceof GuardedHttpError && err.retryable) ||
          (err instanceof PageError && err.retryable) ||
          (err instanceof NetGuardError && err.reason === 'unresolvable'); // DNS may be back on the next try
        if (retryable && ctx.job.attempts < ctx.job.maxAttempts) throw err;
        fail(p.accountId, p.entryId, err instanceof Error ? err.message : String(err));
        return;
      }
      const text = page.text.trim();
      if (!text) return void fail(p.accountId, p.entryId, texts.importEmpty);
      if (text.length > limits.maxChars) return void fail(p.accountId, p.entryId, texts.importTooLong(limits.maxChars));
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
    async upload(accountId: number, input: UploadInput) {
      const format = formatOf(input.fileName);
      if (!format) throw fieldError('fileName', texts.fileType);
      const bytes = Buffer.from(input.contentBase64, 'base64');
      if (bytes.length > limits.uploadMaxBytes) throw fieldError('contentBase64', texts.fileTooLarge(limits.uploadMaxBytes));
      const agentIds = d.knowledge.checkAgents(accountId, input.agentIds ?? []);
      let parsed: Awaited<ReturnType<typeof parseFile>>;
      try {
        parsed = await parseFile(format, bytes, { budgetMs: limits.parseBudgetMs, maxChars: limits.maxChars });
      } catch (err) {
        if (err instanceof ParseError) throw fieldError('contentBase64', texts.fileUnreadable(err.message));
        throw err;
      }
      const title = (input.title ?? input.fileName.replace(/\.[a-z0-9]+$/i, '')).slice(0, 200);
      return d.knowledge.store(accountId, { kind: parsed.shape === 'table' ? 'table' : 'file', title, content: parsed.text, source: input.fileName }, agentIds);
    },
  };
}

export type KnowledgeSources = ReturnType<typeof createKnowledgeSources>;
