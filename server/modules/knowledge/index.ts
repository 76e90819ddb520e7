import type { AccessCheck } from '../../http/guards.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { knowledgeRoutes } from './knowledge.routes.js';
import { createKnowledgeService, type KnowledgeService } from './knowledge.service.js';

export type KnowledgeDeps = Pick<Platform, 'db' | 'clock' | 'tx'> & { access: AccessCheck };
export interface KnowledgeServices {
  knowledge: KnowledgeService;
}

/** What an agent knows: entries chunked into a full-text index, searched per turn. */
export function knowledgeModule(d: KnowledgeDeps): Module<KnowledgeServices> {
  const knowledge = createKnowledgeService(d);
  return { name: 'knowledge', services: { knowledge }, routes: [knowledgeRoutes(knowledge, d.access)] };
}
