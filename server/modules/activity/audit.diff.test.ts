import { describe, expect, it } from 'vitest';
import { describeChanges, diffConfig, secretFieldsIn } from './audit.diff.js';

describe('diffConfig', () => {
  it('lists changed leaves with dotted paths, ignoring bookkeeping fields', () => {
    const before = { name: 'Ava', mode: 'draft', handoff: { keywords: ['human'], afterTurns: null }, updatedAt: '2026-01-01' };
    const after = { name: 'Ava', mode: 'autopilot', handoff: { keywords: ['human', 'manager'], afterTurns: 3 }, updatedAt: '2026-02-02' };
    expect(diffConfig(before, after)).toEqual([
      { field: 'mode', from: 'draft', to: 'autopilot' },
      { field: 'handoff.keywords', from: '["human"]', to: '["human","manager"]' },
      { field: 'handoff.afterTurns', from: null, to: '3' },
    ]);
  });

  it('never carries a secret value, only that it changed', () => {
    const changes = diffConfig({ smtp: { host: 'a', password: 'old-pass' } }, { smtp: { host: 'a', password: 'new-pass' }, apiKey: 'sk-1' });
    expect(changes).toEqual([
      { field: 'smtp.password', secret: true },
      { field: 'apiKey', secret: true },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/old-pass|new-pass|sk-1/);
    expect(secretFieldsIn({ smtp: { user: 'u', password: 'p' }, imap: { password: '' }, token: 't' })).toEqual(['smtp.password', 'token']);
  });

  it('cuts long values and bounds the list, whatever the size of the object', () => {
    const big = 'x'.repeat(100_000);
    const [c] = diffConfig({ body: 'short' }, { body: big });
    expect(c!.to!.length).toBeLessThanOrEqual(80);
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]));
    expect(diffConfig(null, many)).toHaveLength(30);
  });

  it('describes the changes in one line', () => {
    expect(
      describeChanges([
        { field: 'mode', from: 'draft', to: 'autopilot' },
        { field: 'smtp.password', secret: true },
      ]),
    ).toBe('mode: draft → autopilot; smtp.password: changed');
  });
});
