import { describe, expect, it } from 'vitest';
import { appliesTo, builderTarget, builderUrl, byScope } from '../../widget/src/lcard/automation-scope.js';

const stage = { pipelineId: 1, statusId: 12 };

describe("which rules and sequences the lead card lists for the lead's stage", () => {
  it('keeps account-wide items, its pipeline and its stage, and nothing of another pipeline or stage', () => {
    expect(appliesTo({ pipelineId: null, statusId: null }, stage)).toBe(true);
    expect(appliesTo({ pipelineId: 1, statusId: null }, stage)).toBe(true);
    expect(appliesTo({ pipelineId: 1, statusId: 12 }, stage)).toBe(true);
    expect(appliesTo({ pipelineId: 1, statusId: 13 }, stage)).toBe(false);
    expect(appliesTo({ pipelineId: 2, statusId: null }, stage)).toBe(false);
    expect(appliesTo({ pipelineId: 2, statusId: 12 }, stage)).toBe(false);
  });

  it('shows only account-wide items for a lead whose stage is not known', () => {
    expect(appliesTo({ pipelineId: null, statusId: null }, null)).toBe(true);
    expect(appliesTo({ pipelineId: 1, statusId: null }, null)).toBe(false);
    expect(appliesTo({ pipelineId: 1, statusId: 12 }, undefined)).toBe(false);
  });

  it('lists the stage first, then the pipeline, then the account, by name within each', () => {
    const items = [
      { name: 'b account', pipelineId: null, statusId: null },
      { name: 'pipeline', pipelineId: 1, statusId: null },
      { name: 'a account', pipelineId: null, statusId: null },
      { name: 'stage', pipelineId: 1, statusId: 12 },
    ];
    expect(byScope(items).map((i) => i.name)).toEqual(['stage', 'pipeline', 'a account', 'b account']);
  });

  it("opens the admin app's builder tab on the item", () => {
    expect(builderUrl('kai_agent', 'rule', 12)).toBe('/settings/widgets/kai_agent/?kai_tab=rules#kai-rule-12');
    expect(builderUrl('kai agent', 'sequence', 3)).toBe('/settings/widgets/kai%20agent/?kai_tab=sequences#kai-sequence-3');
  });

  it('reads the item back from the link, and nothing from another hash', () => {
    expect(builderTarget(new URL(builderUrl('kai_agent', 'rule', 12), 'https://x.kommo.com').hash)).toEqual({ kind: 'rule', id: 12 });
    expect(builderTarget('#kai-sequence-3')).toEqual({ kind: 'sequence', id: 3 });
    expect(builderTarget('')).toBeNull();
    expect(builderTarget('#kai-rule-')).toBeNull();
    expect(builderTarget('#kai-agent-4')).toBeNull();
  });
});
