/**
 * The demo model: a deterministic stand-in for the LLM when no OPENAI_API_KEY is set (`npm run demo`).
 * It reads only what a real model gets, the prompt of the turn (turn.context.ts), and answers in the same
 * format: a reply built from the agent's sales script and the knowledge excerpts, plus real tool calls
 * (create_task, update_field, handoff_to_human) the turn validates and executes like any other.
 * Every text it writes starts with DEMO_LABEL, and the turn records DEMO_MODEL as its model name, so
 * nobody mistakes its output for a real model's.
 */
import type { LlmClient, LlmMessage, LlmRequest, LlmResponse, LlmToolCall } from './llm.types.js';

export const DEMO_MODEL = 'demo-model';
export const DEMO_LABEL = '[demo model]';

interface Prompt {
  agentName: string;
  contactName: string | null;
  leadName: string | null;
  maxChars: number;
  /** Phrases the script says to use ("Say: "…""), in order. */
  scriptPhrases: string[];
  knowledge: { title: string; text: string }[];
  fields: { id: number; name: string; type: string; options: string[] }[];
  taskTypes: { id: number; name: string }[];
}

const STOP_WORDS =
  'the and for you your with that this have what when will can are our how much does from about there they them would could into just like need want also more than some any who were been being their which while';
// Built lazily: the widget imports DEMO_MODEL from this file, and its bundle keeps any top-level `new`.
let stop: Set<string> | undefined;
const words = (s: string) => {
  stop ??= new Set(STOP_WORDS.split(' '));
  return new Set((s.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).filter((w) => !stop!.has(w)));
};
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hasWord = (text: string, w: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRe(w)}($|[^\\p{L}\\p{N}])`, 'iu').test(text);

/** The lines of a prompt section that starts with `heading` and ends at the next blank line. */
function listAfter(system: string, heading: string): string[] {
  const at = system.indexOf(`${heading}\n`);
  if (at < 0) return [];
  const rest = system.slice(at + heading.length + 1);
  const end = rest.indexOf('\n\n');
  return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter(Boolean);
}

/** The CRM data message of the prompt (turn.context.ts `crmData`): names and script variable values. */
interface CrmData {
  lead?: { name?: string | null };
  contact?: { name?: string | null } | null;
  script_variables?: Record<string, string | number | null>;
}

function readCrmData(messages: LlmMessage[]): CrmData {
  for (const m of messages) {
    if (m.role !== 'user') continue;
    const json = /^<crm_data>\n([\s\S]*)\n<\/crm_data>$/.exec(m.content)?.[1];
    if (!json) continue;
    try {
      return JSON.parse(json) as CrmData;
    } catch {
      return {};
    }
  }
  return {};
}

/** What the model is told: the system message (script, knowledge, the account's lists) and the CRM data message. */
export function readPrompt(system: string, messages: LlmMessage[] = []): Prompt {
  const tag = (name: string) => new RegExp(`<${name}>\\n([\\s\\S]*?)\\n</${name}>`).exec(system)?.[1] ?? '';
  const data = readCrmData(messages);
  const vars = data.script_variables ?? {};
  // The script comes with its {{variables}} unfilled; a real model fills them from the data, so does this one.
  const script = tag('sales_script').replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (m, name: string) => (vars[name] == null ? m : String(vars[name])));
  const knowledge = tag('knowledge')
    .split(/^\[\d+: (.+)\]$/m)
    .slice(1)
    .flatMap((part, i, all) => (i % 2 === 0 ? [{ title: part, text: (all[i + 1] ?? '').trim() }] : []));
  const fields = listAfter(system, 'Lead fields (id name type [options]):').flatMap((line) => {
    const m = /^(\d+) (.+?)(?: \[(.*)\])?$/.exec(line);
    if (!m) return [];
    const cut = m[2]!.lastIndexOf(' ');
    return [{ id: Number(m[1]), name: m[2]!.slice(0, cut), type: m[2]!.slice(cut + 1), options: m[3] ? m[3].split(' | ') : [] }];
  });
  const taskTypes = listAfter(system, 'Task types (id name):').flatMap((line) => {
    const m = /^(\d+) (.+)$/.exec(line);
    return m ? [{ id: Number(m[1]), name: m[2]! }] : [];
  });
  return {
    agentName: /^You are (.+?), a sales assistant/.exec(system)?.[1] ?? 'the assistant',
    contactName: data.contact?.name || null,
    leadName: data.lead?.name || null,
    maxChars: Number(/at most (\d+) characters/.exec(system)?.[1] ?? 1000),
    scriptPhrases: [...script.matchAll(/Say:\s*"([^"]+)"/g)].map((m) => m[1]!),
    knowledge,
    fields,
    taskTypes,
  };
}

/** The first `n` sentences of an excerpt; for an FAQ entry, of its answer. */
function gist(text: string, n: number): string {
  const answer = /^A: ([\s\S]+)$/m.exec(text)?.[1] ?? text;
  const sentences = answer
    .replace(/\s+/g, ' ')
    .trim()
    .match(/[^.!?]+[.!?]+/g) ?? [answer.trim()];
  return sentences
    .slice(0, n)
    .map((s) => s.trim())
    .join(' ');
}

const clientText = (m: LlmMessage) => (m.role === 'user' ? (/<client_message>\n([\s\S]*)\n<\/client_message>/.exec(m.content)?.[1] ?? null) : null);

/** One deterministic answer to one chat request. */
export function demoAnswer(req: LlmRequest): LlmResponse {
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  const p = readPrompt(typeof system === 'string' ? system : '', req.messages);
  const convo = req.messages.filter((m) => m.role !== 'system');
  const lastClient =
    [...convo]
      .reverse()
      .map(clientText)
      .find((t) => t !== null) ?? '';
  const answered = convo.filter((m) => m.role === 'assistant' && m.content).length;
  const offered = new Set((req.tools ?? []).map((t) => t.name));
  const calls: LlmToolCall[] = [];
  const call = (name: string, args: unknown) => calls.push({ id: `demo_call_${calls.length + 1}`, name, arguments: JSON.stringify(args) });
  // After a tool error the turn asks again: continue without tools, as the error text invites.
  const afterToolError = convo.at(-1)?.role === 'tool';
  const who = p.contactName ?? p.leadName ?? 'the client';

  const parts: string[] = [];
  if (answered === 0) parts.push(p.contactName ? `Hi ${p.contactName.split(' ')[0]}!` : 'Hi!');

  if (!afterToolError && offered.has('handoff_to_human') && /\b(talk|speak) (to|with) (a )?(human|person|real person)\b/i.test(lastClient)) {
    call('handoff_to_human', { reason: `${DEMO_LABEL} the client asked for a person` });
    parts.push('I am passing you to a colleague right away.');
  } else {
    // Excerpts sharing at least two words with the client's message: the best in two sentences, a second one
    // (a second question, often) in one.
    const asked = words(lastClient);
    const [best, next] = p.knowledge
      .map((k, i) => ({ k, i, score: [...words(`${k.title} ${k.text}`)].filter((w) => asked.has(w)).length }))
      .filter((x) => x.score >= 2)
      .sort((a, b) => b.score - a.score || a.i - b.i);
    if (best) parts.push(gist(best.k.text, 2));
    if (next) parts.push(gist(next.k.text, 1));

    if (!afterToolError && offered.has('create_task') && /\b(call|demo|meet|meeting|schedule|book|tomorrow)\b/i.test(lastClient)) {
      const type = p.taskTypes.find((t) => hasWord(lastClient, t.name));
      const snippet = lastClient.replace(/\s+/g, ' ').trim().slice(0, 120);
      call('create_task', { text: `${DEMO_LABEL} Contact ${who} as requested: "${snippet}"`, dueInHours: 24, ...(type ? { taskTypeId: type.id } : {}) });
    }
    if (!afterToolError && offered.has('update_field')) {
      // A select option the client named, when exactly one field has exactly one such option.
      const named = p.fields
        .filter((f) => ['select', 'radiobutton', 'multiselect'].includes(f.type))
        .map((f) => ({ f, hits: f.options.filter((o) => hasWord(lastClient, o)) }))
        .filter((x) => x.hits.length === 1);
      if (named.length === 1) {
        const { f, hits } = named[0]!;
        call('update_field', { fieldId: f.id, value: f.type === 'multiselect' ? hits : hits[0] });
      }
    }
    const phrase = p.scriptPhrases[Math.min(answered, p.scriptPhrases.length - 1)];
    if (phrase) parts.push(phrase);
    else if (!best) parts.push('Thank you for your message: a colleague will get back to you shortly.');
  }

  let reply = `${DEMO_LABEL} ${parts.join(' ')}`;
  if (reply.length > p.maxChars) reply = `${reply.slice(0, p.maxChars - 1)}…`;
  return { content: reply, toolCalls: calls, usage: { promptTokens: 0, completionTokens: 0 }, model: DEMO_MODEL };
}

/** The LlmClient the app uses when no model is configured and the demo asks for one. */
export function createDemoModel(): LlmClient {
  return {
    configured: true,
    async chat(req) {
      if (req.signal?.aborted) throw req.signal.reason;
      return demoAnswer(req);
    },
  };
}
