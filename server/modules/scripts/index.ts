import type { AccessCheck } from '../../http/guards.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import type { Audit } from '../activity/audit.js';
import { scriptsRoutes } from './scripts.routes.js';
import { createScriptsService, type ScriptsService } from './scripts.service.js';

export type ScriptsDeps = Pick<Platform, 'db' | 'clock' | 'tx'> & { crm: MirrorReadRepo; access: AccessCheck; audit: Audit };
export interface ScriptsServices {
  scripts: ScriptsService;
}

/** Sales scripts with variables from the lead, bound to stages. */
export function scriptsModule(d: ScriptsDeps): Module<ScriptsServices> {
  const scripts = createScriptsService(d);
  return { name: 'scripts', services: { scripts }, routes: [scriptsRoutes(scripts, d.access, d.audit)] };
}
