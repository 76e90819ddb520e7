import { describe, expect, it } from 'vitest';
import { manualClock } from '../../lib/clock.js';
import { type Cell, emptyFigures } from './quality.repo.js';
import { createQualityService } from './quality.service.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const AT = { pipelineId: 7, statusId: 70 };

/** The service over fixed cells (the repo's SQL is covered by the integration tests): the default thresholds, 50 drafts and 90%. */
function service(mode: 'draft' | 'autopilot', cell: Partial<Cell>) {
  const cells: Cell[] = [{ ...emptyFigures(1), ...AT, day: '2026-11-20', ...cell }];
  return createQualityService({
    repo: { cells: () => cells },
    clock: manualClock(NOW),
    agents: () => [{ id: 1, name: 'Ava', mode, replyDelaySec: 0 }],
    stages: () => [{ ...AT, name: 'Qualified', pipelineName: 'Sales' }],
    thresholds: { autopilotMinDrafts: 50, autopilotMinUnchanged: 0.9, draftUndoRate: 0.2, draftDiscardRate: 0.4 },
  });
}
const suggestion = (mode: 'draft' | 'autopilot', cell: Partial<Cell>) => service(mode, cell).stage(1, AT, 1).suggestion;

describe('quality suggestions at the default thresholds', () => {
  it('suggests autopilot from 50 decided drafts with 90% unchanged, not at 49 nor at 88%', () => {
    expect(suggestion('draft', { approvedUnchanged: 49 })).toBeNull();
    expect(suggestion('draft', { approvedUnchanged: 50 })).toEqual({ mode: 'autopilot', reason: 'drafts_accepted' });
    expect(suggestion('draft', { approvedUnchanged: 45, approvedEdited: 5, editRatios: [0.1, 0.1, 0.1, 0.1, 0.1] })).toEqual({
      mode: 'autopilot',
      reason: 'drafts_accepted',
    });
    expect(suggestion('draft', { approvedUnchanged: 44, approvedEdited: 6 })).toBeNull();
  });

  it('suggests going back to draft when the undo rate (autopilot) or the discard rate (draft) reaches its threshold', () => {
    expect(suggestion('autopilot', { actionsDone: 10, actionsUndone: 1 })).toBeNull();
    expect(suggestion('autopilot', { actionsDone: 10, actionsUndone: 2 })).toEqual({ mode: 'draft', reason: 'undo_rate' });
    expect(suggestion('draft', { approvedUnchanged: 7, discarded: 3 })).toBeNull();
    expect(suggestion('draft', { approvedUnchanged: 6, discarded: 4 })).toEqual({ mode: 'draft', reason: 'discard_rate' });
  });

  it('fills every day of the window for the chart and names the stage', () => {
    const s = service('draft', { replied: 2, advanced: 1 }).summary(1, { days: 30 });
    expect(s.daily).toHaveLength(31);
    expect(s.daily.at(-1)).toMatchObject({ day: '2026-11-20', replies: 2, advanced: 1 });
    expect(s.stages).toEqual([expect.objectContaining({ stageName: 'Qualified', pipelineName: 'Sales', name: 'Ava', replies: 2, advanced: 1 })]);
    expect(
      service('draft', {})
        .summary(1, { days: 30, month: '2026-10' })
        .daily.map((d) => d.day),
    ).toHaveLength(31);
  });
});
