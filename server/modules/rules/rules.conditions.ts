import { type CrmField, type CrmLead, fieldText } from '../mirror/mirror-read.repo.js';
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
  const f = lead?.customFields.find((x) => x.field_id === fieldId);
  return (f?.values ?? []).map((v) => fieldText([v])).filter((v) => v !== '');
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

/** Compare a field by its type: numbers as numbers, select options by label (or option id), text case-insensitively. */
function fieldCheck(c: Extract<ConditionLeaf, { kind: 'field' }>, facts: Facts): TraceNode {
  const def = facts.fields.find((f) => f.id === c.fieldId);
  const label = `field ${def?.name ?? `#${c.fieldId}`} ${c.op}`;
  const values = fieldValues(facts.lead, c.fieldId);
  const numeric = def !== undefined && (def.type === 'numeric' || def.type === 'price');
  const eq = (a: string, b: unknown) => same(def, numeric, a, b);
  const actual = values.length <= 1 ? (values[0] ?? null) : values;
  const first = values[0];
  let ok: boolean;
  let expected: unknown = c.value;
  switch (c.op) {
    case 'empty':
      ok = values.length === 0;
      expected = 'empty';
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
      expected = c.values ?? [];
      ok = values.some((v) => (c.values ?? []).some((x) => eq(v, x)));
      break;
    case 'gt':
      ok = first !== undefined && num(first) !== null && num(c.value) !== null && num(first)! > num(c.value)!;
      break;
    case 'lt':
      ok = first !== undefined && num(first) !== null && num(c.value) !== null && num(first)! < num(c.value)!;
      break;
    case 'between':
      expected = [c.min, c.max];
      ok = first !== undefined && num(first) !== null && c.min !== undefined && c.max !== undefined && num(first)! >= c.min && num(first)! <= c.max;
      break;
  }
  return { check: label, ok, actual, expected };
}

function leaf(c: ConditionLeaf, facts: Facts): TraceNode {
  const lead = facts.lead;
  switch (c.kind) {
    case 'stage': {
      const ok = lead?.pipelineId === c.pipelineId && (!c.statusIds || (lead.statusId !== null && c.statusIds.includes(lead.statusId)));
      return {
        check: 'stage',
        ok,
        actual: { pipelineId: lead?.pipelineId ?? null, statusId: lead?.statusId ?? null },
        expected: { pipelineId: c.pipelineId, statusIds: c.statusIds ?? 'any' },
      };
    }
    case 'field':
      return fieldCheck(c, facts);
    case 'tags': {
      const has = (lead?.tags ?? []).some((t) => lower(t) === lower(c.tag));
      return { check: `tag ${c.op} "${c.tag}"`, ok: c.op === 'has' ? has : !has, actual: lead?.tags ?? [] };
    }
    case 'responsible': {
      const inList = lead?.responsibleUserId != null && c.userIds.includes(lead.responsibleUserId);
      return { check: `responsible ${c.op}`, ok: c.op === 'in' ? inList : !inList, actual: lead?.responsibleUserId ?? null, expected: c.userIds };
    }
    case 'channel':
      return {
        check: 'channel',
        ok: facts.channel !== null && c.channels.map(lower).includes(lower(facts.channel)),
        actual: facts.channel,
        expected: c.channels,
      };
    case 'price': {
      const p = lead?.price ?? null;
      const ok =
        p !== null &&
        (c.op === 'eq' ? p === c.value : c.op === 'gt' ? p > c.value : c.op === 'lt' ? p < c.value : c.max !== undefined && p >= c.value && p <= c.max);
      return { check: `price ${c.op}`, ok, actual: p, expected: c.op === 'between' ? [c.value, c.max] : c.value };
    }
    case 'working_hours': {
      const inside = facts.insideWorkingHours;
      return { check: c.inside ? 'inside working hours' : 'outside working hours', ok: inside === c.inside, actual: inside ? 'inside' : 'outside' };
    }
    case 'agent': {
      const active = facts.agent.bound && !facts.agent.paused;
      return {
        check: `agent ${c.state}`,
        ok: c.state === 'active' ? active : facts.agent.bound && facts.agent.paused,
        actual: !facts.agent.bound ? 'none' : facts.agent.paused ? 'paused' : 'active',
      };
    }
  }
}

/** Evaluate a condition tree; every node says what it compared. No condition at all holds. */
export function evaluate(c: Condition | undefined, facts: Facts): TraceNode {
  if (!c) return { check: 'no conditions', ok: true };
  if ('all' in c) {
    const children = c.all.map((x) => evaluate(x, facts));
    return { check: 'all of', ok: children.every((x) => x.ok), children };
  }
  if ('any' in c) {
    const children = c.any.map((x) => evaluate(x, facts));
    return { check: 'any of', ok: children.some((x) => x.ok), children };
  }
  return leaf(c, facts);
}
