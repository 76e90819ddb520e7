import type { Module } from '../../module.js';
import { stagesRoutes } from './stages.routes.js';
import { createStagesService, type StagesPorts, type StagesService } from './stages.service.js';

export type { StagesPorts, StagesService, StageSetup } from './stages.service.js';
export interface StagesServices {
  stages: StagesService;
}

/** The stage as the unit of setup: one read of what works a pipeline stage, for the lead card's "This stage" and the pipeline board. */
export function stagesModule(d: { ports: StagesPorts }): Module<StagesServices> {
  const stages = createStagesService(d.ports);
  return { name: 'stages', services: { stages }, routes: [stagesRoutes(stages)] };
}
