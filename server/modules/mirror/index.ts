import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { createMirrorReadRepo, type MirrorReadRepo } from './mirror-read.repo.js';
import { createMirrorRepo, type MirrorRepo } from './mirror.repo.js';
import { mirrorRoutes } from './mirror.routes.js';
import { createRecordsRepo, type RecordsRepo } from './records.repo.js';

export type MirrorDeps = Pick<Platform, 'sqlite'>;
export interface MirrorServices {
  /** The only writer of the mirror tables (sync and webhooks alike). */
  mirror: MirrorRepo;
  read: MirrorReadRepo;
  /** Tasks, talks and calls: the records only webhooks bring. */
  records: RecordsRepo;
}

/** The local copy of the account's Kommo data: leads, contacts, companies, users, pipelines, fields. */
export function mirrorModule(d: MirrorDeps): Module<MirrorServices> {
  const read = createMirrorReadRepo(d.sqlite);
  return { name: 'mirror', services: { mirror: createMirrorRepo(d.sqlite), read, records: createRecordsRepo(d.sqlite) }, routes: [mirrorRoutes(read)] };
}
