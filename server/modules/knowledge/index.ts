import { z } from 'zod';
import type { AccessCheck } from '../../http/guards.js';
import { defineJob } from '../../jobs/worker.js';
import { LANGS } from '../../lib/i18n.js';
import { createNetGuard } from '../../lib/net-guard.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { Audit } from '../activity/audit.js';
import { knowledgeRoutes } from './knowledge.routes.js';
import { createKnowledgeService, type KnowledgeService } from './knowledge.service.js';
import { createKnowledgeSources, KNOWLEDGE_IMPORT_QUEUE, type KnowledgeSources } from './knowledge.sources.js';

export type KnowledgeDeps = Pick<Platform, 'db' | 'clock' | 'tx' | 'queue' | 'env'> & { access: AccessCheck; audit: Audit };
export interface KnowledgeServices {
  knowledge: KnowledgeService;
  sources: KnowledgeSources;
}

/** Text of one source after conversion: about 250 pages of prose, or a price list of some thousands of rows. */
const MAX_SOURCE_CHARS = 1_000_000;

/** What agents know: account-wide entries shared with agents, chunked into a full-text index and searched per turn. */
export function knowledgeModule(d: KnowledgeDeps): Module<KnowledgeServices> {
  const knowledge = createKnowledgeService(d);
  const sources = createKnowledgeSources({
    ...d,
    knowledge,
    // Every page fetch goes through it: an admin's URL is attacker input (KNOWLEDGE_ALLOW_PRIVATE_HOSTS).
    guard: createNetGuard({ allowPrivate: d.env.KNOWLEDGE_ALLOW_PRIVATE_HOSTS }),
    limits: {
      allowPrivate: d.env.KNOWLEDGE_ALLOW_PRIVATE_HOSTS,
      urlTimeoutMs: d.env.KNOWLEDGE_URL_TIMEOUT_MS,
      urlMaxBytes: d.env.KNOWLEDGE_URL_MAX_BYTES,
      uploadMaxBytes: d.env.KNOWLEDGE_UPLOAD_MAX_BYTES,
      parseBudgetMs: d.env.KNOWLEDGE_PARSE_BUDGET_MS,
      maxChars: MAX_SOURCE_CHARS,
    },
  });
  return {
    name: 'knowledge',
    services: { knowledge, sources },
    routes: [knowledgeRoutes(knowledge, sources, d.access, d.audit)],
    jobs: [
      defineJob({
        queue: KNOWLEDGE_IMPORT_QUEUE,
        payload: z.object({ accountId: z.number().int(), entryId: z.number().int(), lang: z.enum(LANGS).optional() }),
        leaseMs: 120_000,
        backoff: { baseMs: 30_000, capMs: 10 * 60_000 },
        // A page fetch and a parse of up to KNOWLEDGE_PARSE_BUDGET_MS: a quarter of the slots at most, like the other slow queues.
        share: 0.25,
        handle: (p, ctx) => sources.runImport(p, ctx),
      }),
    ],
  };
}
