import type { Db } from '../../../db/client.js';
import type { KnowledgeEntryRow } from '../../../db/schema/index.js';
import type { Clock } from '../../lib/clock.js';
import { notFound } from '../../lib/errors.js';
import { getAgent } from '../agents/agents.repo.js';
import { chunkText, ftsQuery } from './knowledge.chunk.js';
import { deleteEntry, insertEntry, listEntries, searchChunks, type KnowledgeHit } from './knowledge.repo.js';
import type { CreateEntryInput } from './knowledge.schemas.js';

const toDto = (e: KnowledgeEntryRow) => ({
  id: e.id,
  kind: e.kind,
  title: e.title,
  content: e.content,
  ...(e.kind === 'faq' ? { question: e.question, answer: e.answer } : {}),
  createdAt: new Date(e.createdAt).toISOString(),
});

/** Markdown is indexed as text without its markup characters, so `**price**` matches "price". */
const plain = (kind: string, s: string) => (kind === 'markdown' ? s.replace(/^#{1,6}\s+/gm, '').replace(/[*_`>~]+/g, '') : s);

export function createKnowledgeService(deps: { db: Db; clock: Clock; tx<T>(fn: () => T): T }) {
  const { db, clock } = deps;
  const mustHaveAgent = (accountId: number, agentId: number) => {
    if (!getAgent(db, accountId, agentId)) throw notFound(`Agent ${agentId}`);
  };

  return {
    list(accountId: number, agentId: number) {
      mustHaveAgent(accountId, agentId);
      return listEntries(db, accountId, agentId).map(toDto);
    },

    create(accountId: number, agentId: number, input: CreateEntryInput) {
      return deps.tx(() => {
        mustHaveAgent(accountId, agentId);
        if (input.kind === 'faq') {
          const content = `Q: ${input.question}\nA: ${input.answer}`;
          const row = insertEntry(
            db,
            { accountId, agentId, kind: 'faq', title: input.title, content, question: input.question, answer: input.answer },
            [content],
            clock.now(),
          );
          return toDto(row);
        }
        const chunks = chunkText(plain(input.kind, input.content));
        return toDto(
          insertEntry(
            db,
            { accountId, agentId, kind: input.kind, title: input.title, content: input.content, question: null, answer: null },
            chunks,
            clock.now(),
          ),
        );
      });
    },

    remove(accountId: number, id: number) {
      if (!deleteEntry(db, accountId, id)) throw notFound(`Knowledge entry ${id}`);
    },

    /** Top-k chunks for the turn's text; an empty or stop-word-only text finds nothing. */
    search(accountId: number, agentId: number, text: string, k = 4): KnowledgeHit[] {
      const q = ftsQuery(text);
      return q ? searchChunks(db, accountId, agentId, q, k) : [];
    },
  };
}

export type KnowledgeService = ReturnType<typeof createKnowledgeService>;
