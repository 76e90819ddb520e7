import type { Module } from '../../module.js';
import { setupRoutes } from './setup.routes.js';
import { createSetupService, type SetupPorts, type SetupService } from './setup.service.js';

export type { SetupPorts, SetupService } from './setup.service.js';
export interface SetupServices {
  setup: SetupService;
}

/** The first-run checklist (connection and sync, an agent on a stage, the Salesbot channel, mailbox and model). */
export function setupModule(d: { ports: SetupPorts }): Module<SetupServices> {
  const setup = createSetupService(d.ports);
  return { name: 'setup', services: { setup }, routes: [setupRoutes(setup)] };
}
