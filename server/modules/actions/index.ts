import type { AccessCheck } from '../../http/guards.js';
import type { Module } from '../../module.js';
import { actionsRoutes } from './actions.routes.js';
import { createActionsService, type ActionsDeps, type ActionsService } from './actions.service.js';

export type { ActionsDeps } from './actions.service.js';
export interface ActionsServices {
  actions: ActionsService;
}

/** The action log: every CRM write an agent makes, with before/after values, undo and approval. */
export function actionsModule(d: ActionsDeps & { access: AccessCheck }): Module<ActionsServices> {
  const actions = createActionsService(d);
  return { name: 'actions', services: { actions }, routes: [actionsRoutes(actions, d.access)] };
}
