/**
 * The README's automation section is a contract: every trigger, condition, action and sequence step has a
 * row with an example, and every example is valid against the schemas the API uses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ZodTypeAny } from 'zod';
import {
  ACTION_TYPES,
  actionSchema,
  CONDITION_KINDS,
  conditionSchema,
  createRuleSchema,
  TRIGGER_TYPES,
  triggerSchema,
} from '../server/modules/rules/rules.schemas.js';
import { createSequenceSchema, STEP_TYPES, stepSchema } from '../server/modules/sequences/sequences.schemas.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('\n## Automation\n'), readme.indexOf('\n## ', readme.indexOf('\n## Automation\n') + 5));

/** Table rows under a heading: the first cell's name and the last cell's JSON example. */
function rows(heading: string): { name: string; example: unknown }[] {
  const start = section.indexOf(`${heading}\n`);
  expect(start, `README has "${heading}" under Automation`).toBeGreaterThan(0);
  const end = section.indexOf('\n#', start + heading.length);
  const out: { name: string; example: unknown }[] = [];
  for (const line of section.slice(start, end === -1 ? undefined : end).split('\n')) {
    const m = /^\| `([a-z_]+)` \|.*\| `(\{.*\})` \|$/.exec(line);
    if (m) out.push({ name: m[1]!, example: JSON.parse(m[2]!) });
  }
  return out;
}

function checkTable(heading: string, names: readonly string[], schema: ZodTypeAny, key: 'type' | 'kind') {
  const found = rows(heading);
  expect(found.map((r) => r.name).sort()).toEqual([...names].sort());
  for (const r of found) {
    const parsed = schema.safeParse(r.example);
    expect(parsed.success, `${heading} ${r.name}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`).toBe(true);
    expect((r.example as Record<string, unknown>)[key]).toBe(r.name);
  }
}

describe('README: automation', () => {
  it('documents every trigger with a valid example', () => checkTable('#### Triggers', TRIGGER_TYPES, triggerSchema, 'type'));
  it('documents every condition with a valid example', () => checkTable('#### Conditions', CONDITION_KINDS, conditionSchema, 'kind'));
  it('documents every action with a valid example', () => checkTable('#### Actions', ACTION_TYPES, actionSchema, 'type'));
  it('documents every sequence step with a valid example', () => checkTable('### Sequences', STEP_TYPES, stepSchema, 'type'));
  it('has a whole rule and a whole sequence that the API accepts', () => {
    const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
    expect(blocks).toHaveLength(2);
    expect(createRuleSchema.safeParse(blocks[0]).success).toBe(true);
    expect(createSequenceSchema.safeParse(blocks[1]).success).toBe(true);
  });
});
