/**
 * Per-turn caps on what goes into the prompt (client text, knowledge, the script) and on the actions a
 * turn may plan. A client who pastes a novel, a huge knowledge entry or a runaway script costs at most the
 * cap; what was cut is recorded on the turn and in its activity entry.
 */
import type { KnowledgeHit } from '../knowledge/knowledge.repo.js';
import type { HistoryMessage } from './turn.context.js';

export interface TurnLimits {
  clientChars: number;
  knowledgeChars: number;
  scriptChars: number;
  actions: number;
}

export function turnLimits(env: {
  LLM_TURN_MAX_CLIENT_CHARS: number;
  LLM_TURN_MAX_KNOWLEDGE_CHARS: number;
  LLM_TURN_MAX_SCRIPT_CHARS: number;
  LLM_TURN_MAX_ACTIONS: number;
}): TurnLimits {
  return {
    clientChars: env.LLM_TURN_MAX_CLIENT_CHARS,
    knowledgeChars: env.LLM_TURN_MAX_KNOWLEDGE_CHARS,
    scriptChars: env.LLM_TURN_MAX_SCRIPT_CHARS,
    actions: env.LLM_TURN_MAX_ACTIONS,
  };
}

/** What a turn left out of the prompt or the plan; only the parts that were cut appear. */
export interface TurnCuts {
  clientText?: { limit: number; cutChars: number; droppedMessages: number };
  knowledge?: { limit: number; cutChars: number; droppedExcerpts: number };
  script?: { limit: number; cutChars: number };
  actions?: { limit: number; dropped: { type: string; args: unknown }[] };
}

export const CUT_MARK = ' […]';

/**
 * Client messages, newest first, up to `max` characters together. The message that crosses the limit
 * keeps its beginning; older ones are left out. Replies and CRM events are not client text and stay.
 */
export function capHistory<T extends HistoryMessage>(history: T[], max: number): { history: T[]; cut: TurnCuts['clientText'] | null } {
  let left = max;
  let cutChars = 0;
  let droppedMessages = 0;
  const out: T[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i]!;
    if (m.direction !== 'inbound') {
      out.push(m);
      continue;
    }
    if (m.text.length <= left) {
      left -= m.text.length;
      out.push(m);
    } else if (left > 0) {
      cutChars += m.text.length - left;
      out.push({ ...m, text: m.text.slice(0, left) + CUT_MARK });
      left = 0;
    } else {
      cutChars += m.text.length;
      droppedMessages++;
    }
  }
  out.reverse();
  return { history: out, cut: cutChars > 0 ? { limit: max, cutChars, droppedMessages } : null };
}

/** Knowledge excerpts, best first, up to `max` characters of text together. */
export function capKnowledge(hits: KnowledgeHit[], max: number): { hits: KnowledgeHit[]; cut: TurnCuts['knowledge'] | null } {
  let left = max;
  let cutChars = 0;
  let droppedExcerpts = 0;
  const out: KnowledgeHit[] = [];
  for (const h of hits) {
    if (h.text.length <= left) {
      left -= h.text.length;
      out.push(h);
    } else if (left > 0) {
      cutChars += h.text.length - left;
      out.push({ ...h, text: h.text.slice(0, left) + CUT_MARK });
      left = 0;
    } else {
      cutChars += h.text.length;
      droppedExcerpts++;
    }
  }
  return { hits: out, cut: cutChars > 0 ? { limit: max, cutChars, droppedExcerpts } : null };
}

/** The script's first `max` characters. */
export function capScript(script: string | null, max: number): { script: string | null; cut: TurnCuts['script'] | null } {
  if (script === null || script.length <= max) return { script, cut: null };
  return { script: script.slice(0, max) + CUT_MARK, cut: { limit: max, cutChars: script.length - max } };
}

/** A one-line account of the cuts, for the activity entry; null when nothing was cut. */
export function describeCuts(c: TurnCuts | null | undefined): string | null {
  if (!c) return null;
  const parts = [
    c.clientText
      ? `client text cut by ${c.clientText.cutChars} characters${c.clientText.droppedMessages ? ` (${c.clientText.droppedMessages} older message(s) left out)` : ''}`
      : null,
    c.knowledge ? `knowledge cut by ${c.knowledge.cutChars} characters` : null,
    c.script ? `script cut by ${c.script.cutChars} characters` : null,
    c.actions
      ? `${c.actions.dropped.length} action(s) over the limit of ${c.actions.limit} dropped (${c.actions.dropped.map((a) => a.type).join(', ')})`
      : null,
  ].filter(Boolean);
  return parts.length ? `${parts.join('; ')}.` : null;
}
