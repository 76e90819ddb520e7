import type { LlmClient, LlmMessage, LlmTool, LlmUsage } from '../../llm/llm.types.js';
import type { PlannedAction, Validation } from '../actions/actions.validate.js';

export interface SeenCall {
  type: string;
  args: unknown;
  valid: boolean;
  error?: string;
  /** A valid call over the turn's action limit: not planned. */
  dropped?: boolean;
  /** A valid call in words, as the lead's action list shows it ("Move to Proposal sent (Sales)"). */
  summary?: string;
}

export interface ModelOutcome {
  reply: string;
  /** Valid CRM actions in the order the model asked for them (handoff excluded). */
  actions: PlannedAction[];
  /** Set when the model called handoff_to_human. */
  handoffReason: string | null;
  /** Set when a tool call was still invalid after the one correction round: the turn hands off. */
  invalidAfterRetry: string | null;
  /** Valid calls over `maxActions`, in the order asked: dropped, and recorded by the caller. */
  dropped: { type: string; args: unknown }[];
  calls: SeenCall[];
  usage: LlmUsage;
  model: string;
  rounds: number;
}

const parseArgs = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

/**
 * Ask the model, validating every tool call. Valid calls are accepted (and run after the turn);
 * invalid ones go back to the model once with the error; a second invalid round ends the turn in a
 * handoff. A response with tool calls but no text gets one more round for the reply text.
 */
export async function runModel(
  llm: LlmClient,
  req: {
    model: string;
    temperature: number;
    messages: LlmMessage[];
    tools: LlmTool[];
    validate(name: string, args: string): Validation;
    signal?: AbortSignal;
    maxRounds?: number;
    /** CRM actions one turn may plan (handoff_to_human is not one); default 5. */
    maxActions?: number;
  },
): Promise<ModelOutcome> {
  const messages = [...req.messages];
  const usage: LlmUsage = { promptTokens: 0, completionTokens: 0 };
  const actions: PlannedAction[] = [];
  const seenKeys = new Set<string>();
  const calls: SeenCall[] = [];
  const dropped: { type: string; args: unknown }[] = [];
  const maxActions = req.maxActions ?? 5;
  let handoffReason: string | null = null;
  let corrected = false;
  let model = req.model;
  let lastText = '';
  const maxRounds = req.maxRounds ?? 3;
  for (let round = 1; round <= maxRounds; round++) {
    const res = await chat(llm, req, messages);
    usage.promptTokens += res.usage.promptTokens;
    usage.completionTokens += res.usage.completionTokens;
    model = res.model;
    const text = res.content?.trim() ?? '';
    if (text) lastText = text;
    const outcome = (invalidAfterRetry: string | null = null): ModelOutcome => ({
      reply: lastText,
      actions,
      handoffReason,
      invalidAfterRetry,
      dropped,
      calls,
      usage,
      model,
      rounds: round,
    });
    if (res.toolCalls.length === 0) return outcome();

    const results = res.toolCalls.map((tc) => ({ tc, v: req.validate(tc.name, tc.arguments), over: false }));
    const invalid = results.filter((r) => !r.v.ok);
    for (const r of results) {
      const { tc, v } = r;
      if (!v.ok) {
        calls.push({ type: tc.name, args: parseArgs(tc.arguments), valid: false, error: v.error });
        continue;
      }
      if (v.action.type === 'handoff_to_human') {
        calls.push({ type: tc.name, args: v.action.args, valid: true, summary: v.action.summary });
        handoffReason = String(v.action.args.reason);
        continue;
      }
      const key = `${v.action.type}:${JSON.stringify(v.action.args)}`;
      if (seenKeys.has(key)) {
        calls.push({ type: tc.name, args: v.action.args, valid: true, summary: v.action.summary });
        continue;
      }
      // A model talked into "do 50 things" (or looping) plans at most maxActions; the rest is dropped and recorded.
      r.over = actions.length >= maxActions;
      calls.push({ type: tc.name, args: v.action.args, valid: true, summary: v.action.summary, ...(r.over ? { dropped: true } : {}) });
      if (r.over) {
        dropped.push({ type: v.action.type, args: v.action.args });
        continue;
      }
      seenKeys.add(key);
      actions.push(v.action);
    }
    if (invalid.length && corrected) return outcome(invalid.map((r) => (r.v.ok ? '' : r.v.error)).join(' '));
    if (invalid.length) corrected = true;
    if (handoffReason && !invalid.length) return outcome();
    if (text && !invalid.length) return outcome();

    messages.push({ role: 'assistant', content: res.content, toolCalls: res.toolCalls });
    for (const { tc, v, over } of results) {
      const content = over
        ? `Not accepted: a turn may take at most ${maxActions} CRM actions. Do not tell the client it is done.`
        : v.ok
          ? v.action.needsApproval
            ? 'Accepted: it will be carried out after a human approves it. Do not tell the client it is done.'
            : 'Accepted: it will be carried out when you send your reply.'
          : `Error: ${v.error} Correct the call, or continue without it.`;
      messages.push({ role: 'tool', toolCallId: tc.id, content });
    }
    if (round === maxRounds) return outcome();
  }
  return { reply: lastText, actions, handoffReason, invalidAfterRetry: null, dropped, calls, usage, model, rounds: maxRounds };
}

function chat(llm: LlmClient, req: { model: string; temperature: number; tools: LlmTool[]; signal?: AbortSignal }, messages: LlmMessage[]) {
  return llm.chat({ model: req.model, temperature: req.temperature, messages, tools: req.tools, signal: req.signal });
}
