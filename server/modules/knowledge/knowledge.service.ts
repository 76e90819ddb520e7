import type { Db } from '../../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import { getAgent } from '../agents/agents.repo.js';
import { chunkText, ftsQuery } from './knowledge.chunk.js';
import {
  deleteEntry,
  type EntryWithAgents,
  existingAgentIds,
  getEntry,
  insertEntry,
  type KnowledgeHit,
  listEntries,
  type NewEntry,
  searchChunks,
  setEntryAgents,
  updateEntry,
} from './knowledge.repo.js';
import type { CreateEntryInput, PatchEntryInput } from './knowledge.schemas.js';
import type { Lang } from '../../lib/i18n.js';
import { say } from './knowledge.texts.js';

export const toDto = (e: EntryWithAgents) => ({
  id: e.id,
  kind: e.kind,
  title: e.title,
  content: e.content,
  ...(e.kind === 'faq' ? { question: e.question, answer: e.answer } : {}),
  source: e.source,
  status: e.status,
  ...(e.error ? { error: e.error } : {}),
  agentIds: e.agentIds,
  createdAt: new Date(e.createdAt).toISOString(),
  updatedAt: new Date(e.updatedAt ?? e.createdAt).toISOString(),
});
export type KnowledgeEntryDto = ReturnType<typeof toDto>;

/** Markdown is indexed as text without its markup characters, so `**price**` matches "price". */
const plain = (kind: string, s: string) => (kind === 'markdown' ? s.replace(/^#{1,6}\s+/gm, '').replace(/[*_`>~]+/g, '') : s);

/**
 * The retrievable pieces of an entry. A table (a price list) is one chunk per row, so a question about
 * one product finds exactly that product's row; an FAQ is one chunk; prose is packed by paragraphs.
 */
export function chunksOf(kind: string, content: string): string[] {
  if (kind === 'faq') return [content];
  if (kind === 'table')
    return content
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .flatMap((l) => (l.length <= 800 ? [l] : chunkText(l)));
  return chunkText(plain(kind, content));
}

/** A 422 naming the field, in the caller's language. */
export const fieldError = (lang: Lang, field: string, message: string) =>
  new AppError('VALIDATION_FAILED', say(lang, 'invalid', { field, message }), { errors: [{ field, message }] });

export interface KnowledgeCoreDeps {
  db: Db;
  clock: Clock;
  tx<T>(fn: () => T): T;
}

export function createKnowledgeService(deps: KnowledgeCoreDeps) {
  const { db, clock } = deps;
  const mustHaveAgent = (accountId: number, agentId: number) => {
    if (!getAgent(db, accountId, agentId)) throw notFound(`Agent ${agentId}`);
  };
  /** Every id must be an agent of this account (422 naming agentIds otherwise). */
  const checkAgents = (accountId: number, ids: number[], lang: Lang = 'en'): number[] => {
    const unique = [...new Set(ids)];
    const found = new Set(existingAgentIds(db, accountId, unique));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length) throw fieldError(lang, 'agentIds', say(lang, 'notAgents', { ids: missing.join(', ') }));
    return unique;
  };
  const mustGet = (accountId: number, id: number) => {
    const e = getEntry(db, accountId, id);
    if (!e) throw notFound(`Knowledge entry ${id}`);
    return e;
  };

  return {
    checkAgents,

    /** The entries one agent uses, or (no agent) all of the account's entries. */
    list(accountId: number, agentId?: number) {
      if (agentId !== undefined) mustHaveAgent(accountId, agentId);
      return listEntries(db, accountId, agentId).map(toDto);
    },

    get(accountId: number, id: number) {
      return toDto(mustGet(accountId, id));
    },

    /** A typed-in entry, for the agent in the path (if any) and the agents named in `agentIds`. */
    create(accountId: number, agentId: number | null, input: CreateEntryInput, lang: Lang = 'en') {
      return deps.tx(() => {
        if (agentId !== null) mustHaveAgent(accountId, agentId);
        const agentIds = checkAgents(accountId, [...(agentId !== null ? [agentId] : []), ...(input.agentIds ?? [])], lang);
        const base = { accountId, title: input.title, source: null };
        const row: NewEntry =
          input.kind === 'faq'
            ? { ...base, kind: 'faq', content: `Q: ${input.question}\nA: ${input.answer}`, question: input.question, answer: input.answer }
            : { ...base, kind: input.kind, content: input.content, question: null, answer: null };
        const entry = insertEntry(db, row, chunksOf(row.kind, row.content), agentIds, clock.now());
        return toDto({ ...entry, agentIds });
      });
    },

    /** Store a parsed source (an upload, a fetched page) in one short transaction: the parsing happened before. */
    store(accountId: number, row: Omit<NewEntry, 'accountId' | 'question' | 'answer'>, agentIds: number[], lang: Lang = 'en') {
      return deps.tx(() => {
        const ids = checkAgents(accountId, agentIds, lang);
        const entry = insertEntry(db, { ...row, accountId, question: null, answer: null }, chunksOf(row.kind, row.content), ids, clock.now());
        return toDto({ ...entry, agentIds: ids });
      });
    },

    /** Edit in place: the chunks are rebuilt from the new text; `agentIds` replaces who shares the entry. */
    update(accountId: number, id: number, patch: PatchEntryInput, lang: Lang = 'en') {
      return deps.tx(() => {
        const e = mustGet(accountId, id);
        const changesText = patch.content !== undefined || patch.question !== undefined || patch.answer !== undefined;
        if (changesText && e.status === 'pending') throw conflict(say(lang, 'pending', { id }));
        if ((patch.question !== undefined || patch.answer !== undefined) && e.kind !== 'faq')
          throw fieldError(lang, patch.question !== undefined ? 'question' : 'answer', say(lang, 'faqOnly'));
        if (e.kind === 'faq' && patch.content !== undefined) throw fieldError(lang, 'content', say(lang, 'faqContent'));
        const agentIds = patch.agentIds !== undefined ? checkAgents(accountId, patch.agentIds, lang) : e.agentIds;
        const question = patch.question ?? e.question;
        const answer = patch.answer ?? e.answer;
        const content = e.kind === 'faq' ? `Q: ${question}\nA: ${answer}` : (patch.content ?? e.content);
        const title = patch.title ?? e.title;
        const rechunk = changesText || title !== e.title; // each chunk carries the title, which FTS ranks
        // Text typed over a failed import makes it an ordinary entry.
        const status = changesText && e.status === 'failed' ? { status: 'ready', error: null } : {};
        const row = updateEntry(db, accountId, id, { title, content, question, answer, ...status }, rechunk ? chunksOf(e.kind, content) : null, clock.now());
        if (patch.agentIds !== undefined) setEntryAgents(db, accountId, id, agentIds);
        return toDto({ ...row!, agentIds });
      });
    },

    remove(accountId: number, id: number) {
      if (!deleteEntry(db, accountId, id)) throw notFound(`Knowledge entry ${id}`);
    },

    /** Top-k chunks for the turn's text among the entries shared with the agent; stop words alone find nothing. */
    search(accountId: number, agentId: number, text: string, k = 4): KnowledgeHit[] {
      const q = ftsQuery(text);
      return q ? searchChunks(db, accountId, agentId, q, k) : [];
    },
  };
}

export type KnowledgeService = ReturnType<typeof createKnowledgeService>;
