import type { AccessCheck } from '../../http/guards.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { createMovesRepo } from './moves.repo.js';
import { subscribeMoves } from './moves.recorder.js';
import { createQualityRepo } from './quality.repo.js';
import { qualityRoutes } from './quality.routes.js';
import { type AgentInfo, createQualityService, type QualityService, type StageInfo } from './quality.service.js';

export type { QualityService } from './quality.service.js';
export interface QualityServices {
  quality: QualityService;
}

/**
 * Cost and quality in sight: per lead, agent, stage, day and month, with the autopilot / back-to-draft
 * suggestions. Records every stage move as it happens (the "advanced without a human reply" figure).
 */
export function qualityModule(
  d: Pick<Platform, 'sqlite' | 'clock' | 'env' | 'bus'> & {
    access: AccessCheck;
    agents: (accountId: number) => AgentInfo[];
    stages: (accountId: number) => StageInfo[];
  },
): Module<QualityServices> {
  subscribeMoves(d.bus, { repo: createMovesRepo(d.sqlite), clock: d.clock });
  const quality = createQualityService({
    repo: createQualityRepo(d.sqlite),
    clock: d.clock,
    agents: d.agents,
    stages: d.stages,
    thresholds: {
      autopilotMinDrafts: d.env.QUALITY_AUTOPILOT_MIN_DRAFTS,
      autopilotMinUnchanged: d.env.QUALITY_AUTOPILOT_MIN_UNCHANGED_PCT / 100,
      draftUndoRate: d.env.QUALITY_DRAFT_UNDO_PCT / 100,
      draftDiscardRate: d.env.QUALITY_DRAFT_DISCARD_PCT / 100,
    },
  });
  return { name: 'quality', services: { quality }, routes: [qualityRoutes(quality, d.access)] };
}
