import type { CrmField, CrmLead } from '../mirror/mirror-read.repo.js';
import type { Condition, ConditionLeaf } from './rules.schemas.js';

/** What conditions are judged against: the lead as the mirror has it now, and the event's context. */
export interface Facts {
  lead: CrmLead | undefined;
  /** The account's lead fields, with their types and options (typed comparisons). */
  fields: CrmField[];
  channel: string | null;
  agent: { bound: boolean; paused: boolean };
  now: number;
  /** Whether `now` is inside the account's working hours (judged once per event, however many conditions ask). */
  insideWorkingHours: boolean;
}

/** One step of a verdict: what was compared, with which values, and whether it held. */
export interface TraceNode {
  check: string;
  ok: boolean;
  actual?: unknown;
  expected?: unknown;
  children?: TraceNode[];
}

const lower = (v: unknown) =>
  String(v ?? '')
    .trim()
    .toLowerCase();
const num = (v: unknown): number | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const s = String(v ?? '')
    .trim()
    .replace(',', '.');
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
};

/** A lead field's values as text (select options by their label), empty when unset. */
function fieldValues(lead: CrmLead | undefined, fieldId: number): string[] {
  const out: string[] = [];
  if (!lead) return out;
  for (const f of lead.customFields) {
    if (f.field_id !== fieldId) continue;
    for (const v of f.values ?? []) {
      const text = v.value === null || v.value === undefined ? '' : String(v.value);
      if (text !== '') out.push(text);
    }
    break;
  }
  return out;
}

/** A select option's label for an option id, else the value as text. */
function optionLabel(def: CrmField | undefined, v: unknown): string {
  if (typeof v === 'number' && def?.enums) return def.enums.find((e) => e.id === v)?.value ?? String(v);
  return String(v);
}
/** A field value equals a condition value: as numbers for a numeric field, else as text or option label. */
function same(def: CrmField | undefined, numeric: boolean, a: string, b: unknown): boolean {
  if (numeric) {
    const x = num(a);
    const y = num(b);
    if (x !== null && y !== null) return x === y;
  }
  return lower(a) === lower(optionLabel(def, b));
}

/**
 * What a leaf checks and what it expects: from the condition alone (and the field's name), never from the
 * lead. A stored trace keeps only what was observed; this puts the rest back (see `expandConditions`).
 */
function leafShape(c: ConditionLeaf, fields: CrmField[]): { check: string; expected?: unknown } {
  switch (c.kind) {
    case 'stage':
      return { check: 'stage', expected: { pipelineId: c.pipelineId, statusIds: c.statusIds ?? 'any' } };
    case 'field': {
      const def = fields.find((f) => f.id === c.fieldId);
      const check = `field ${def?.name ?? `#${c.fieldId}`} ${c.op}`;
      if (c.op === 'empty') return { check, expected: 'empty' };
      if (c.op === 'in') return { check, expected: c.values ?? [] };
      if (c.op === 'between') return { check, expected: [c.min, c.max] };
      return { check, expected: c.value };
    }
    case 'tags':
      return { check: `tag ${c.op} "${c.tag}"` };
    case 'responsible':
      return { check: `responsible ${c.op}`, expected: c.userIds };
    case 'channel':
      return { check: 'channel', expected: c.channels };
    case 'price':
      return { check: `price ${c.op}`, expected: c.op === 'between' ? [c.value, c.max] : c.value };
    case 'working_hours':
      return { check: c.inside ? 'inside working hours' : 'outside working hours' };
    case 'agent':
      return { check: `agent ${c.state}` };
  }
}

/** Compare a field by its type: numbers as numbers, select options by label (or option id), text case-insensitively. */
function fieldCheck(c: Extract<ConditionLeaf, { kind: 'field' }>, facts: Facts): { ok: boolean; actual: unknown } {
  const def = facts.fields.find((f) => f.id === c.fieldId);
  const values = fieldValues(facts.lead, c.fieldId);
  const numeric = def !== undefined && (def.type === 'numeric' || def.type === 'price');
  const eq = (a: string, b: unknown) => same(def, numeric, a, b);
  const actual = values.length <= 1 ? (values[0] ?? null) : values;
  const first = values[0];
  let ok: boolean;
  switch (c.op) {
    case 'empty':
      ok = values.length === 0;
      break;
    case 'eq':
      ok = values.some((v) => eq(v, c.value));
      break;
    case 'neq':
      ok = !values.some((v) => eq(v, c.value));
      break;
    case 'contains':
      ok = values.some((v) => lower(v).includes(lower(optionLabel(def, c.value))));
      break;
    case 'in':
      ok = values.some((v) => (c.values ?? []).some((x) => eq(v, x)));
      break;
    case 'gt':
      ok = first !== undefined && num(first) !== null && num(c.value) !== null && num(first)! > num(c.value)!;
      break;
    case 'lt':
      ok = first !== undefined && num(first) !== null && num(c.value) !== null && num(first)! < num(c.value)!;
      break;
    case 'between':
      ok = first !== undefined && num(first) !== null && c.min !== undefined && c.max !== undefined && num(first)! >= c.min && num(first)! <= c.max;
      break;
  }
  return { ok, actual };
}

/** What a leaf found on the lead: whether it holds, and the value it compared. */
function observeLeaf(c: ConditionLeaf, facts: Facts): { ok: boolean; actual: unknown } {
  const lead = facts.lead;
  switch (c.kind) {
    case 'stage':
      return {
        ok: lead?.pipelineId === c.pipelineId && (!c.statusIds || (lead.statusId !== null && c.statusIds.includes(lead.statusId))),
        actual: { pipelineId: lead?.pipelineId ?? null, statusId: lead?.statusId ?? null },
      };
    case 'field':
      return fieldCheck(c, facts);
    case 'tags': {
      const has = (lead?.tags ?? []).some((t) => lower(t) === lower(c.tag));
      return { ok: c.op === 'has' ? has : !has, actual: lead?.tags ?? [] };
    }
    case 'responsible': {
      const inList = lead?.responsibleUserId != null && c.userIds.includes(lead.responsibleUserId);
      return { ok: c.op === 'in' ? inList : !inList, actual: lead?.responsibleUserId ?? null };
    }
    case 'channel':
      return { ok: facts.channel !== null && c.channels.map(lower).includes(lower(facts.channel)), actual: facts.channel };
    case 'price': {
      const p = lead?.price ?? null;
      const ok =
        p !== null &&
        (c.op === 'eq' ? p === c.value : c.op === 'gt' ? p > c.value : c.op === 'lt' ? p < c.value : c.max !== undefined && p >= c.value && p <= c.max);
      return { ok, actual: p };
    }
    case 'working_hours':
      return { ok: facts.insideWorkingHours === c.inside, actual: facts.insideWorkingHours ? 'inside' : 'outside' };
    case 'agent': {
      const active = facts.agent.bound && !facts.agent.paused;
      return {
        ok: c.state === 'active' ? active : facts.agent.bound && facts.agent.paused,
        actual: !facts.agent.bound ? 'none' : facts.agent.paused ? 'paused' : 'active',
      };
    }
  }
}

/**
 * A trace node as stored: only what was observed — whether it held, and the value compared (`[ok]`,
 * `[ok, actual]`) or its children (`[ok, 0, children]`). The checks and expected values come from the
 * rule version, which never changes: `node` and `expandConditions` put them back when a trace is read.
 */
export type Observed = [0 | 1] | [0 | 1, unknown] | [0 | 1, 0, Observed[]];

/** A node from what was observed and what was checked and expected. */
export function node(o: Observed, shape: { check: string; expected?: unknown }, children?: TraceNode[]): TraceNode {
  const n: TraceNode = { check: shape.check, ok: o[0] === 1 };
  if (o.length === 2 && o[1] !== undefined) n.actual = o[1];
  if (shape.expected !== undefined) n.expected = shape.expected;
  if (children) n.children = children;
  return n;
}

/** The condition tree's trace from what was observed and the conditions it was judged by: `evaluate`'s trace again. */
export function expandConditions(o: Observed, c: Condition | undefined, fields: CrmField[]): TraceNode {
  if (!c) return node(o, { check: 'no conditions' });
  if ('all' in c || 'any' in c) {
    const list = 'all' in c ? c.all : c.any;
    const kids = o.length === 3 ? o[2] : [];
    return node(
      o,
      { check: 'all' in c ? 'all of' : 'any of' },
      list.map((x, i) => expandConditions(kids[i] ?? [0], x, fields)),
    );
  }
  return node(o, leafShape(c, fields));
}

/** Evaluate a condition tree as it is stored: whether each node held and the value each leaf compared. No condition at all holds. */
export function evaluateObserved(c: Condition | undefined, facts: Facts): Observed {
  if (!c) return [1];
  if ('all' in c || 'any' in c) {
    const all = 'all' in c;
    const children = (all ? c.all : c.any).map((x) => evaluateObserved(x, facts));
    const ok = all ? children.every((x) => x[0] === 1) : children.some((x) => x[0] === 1);
    return [ok ? 1 : 0, 0, children];
  }
  const seen = observeLeaf(c, facts);
  return [seen.ok ? 1 : 0, seen.actual];
}

/** Evaluate a condition tree; every node says what it compared. No condition at all holds. */
export function evaluate(c: Condition | undefined, facts: Facts): TraceNode {
  return expandConditions(evaluateObserved(c, facts), c, facts.fields);
}
