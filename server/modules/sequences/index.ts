import type { AccessCheck } from '../../http/guards.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { ActionsService } from '../actions/actions.service.js';
import type { ActivityService } from '../activity/activity.service.js';
import type { Audit } from '../activity/audit.js';
import type { KommoServices } from '../kommo/index.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { createSequencesRepo } from './sequences.repo.js';
import { sequencesJobs } from './sequences.jobs.js';
import { sequencesRoutes } from './sequences.routes.js';
import { createSequenceRunner, type SequencePorts } from './sequences.runner.js';
import { createSequencesService, type SequencesService } from './sequences.service.js';
import { subscribeDpEnrollment } from './sequences.dp.js';
import { subscribeSequenceStops } from './sequences.stops.js';
import { unsubscribeRoutes, unsubscribeTokens } from './sequences.unsubscribe.js';

export type SequencesDeps = Pick<Platform, 'env' | 'db' | 'clock' | 'queue' | 'tx' | 'groupTx' | 'bus'> & {
  activity: ActivityService;
  audit: Audit;
  access: AccessCheck;
  kommo: Pick<KommoServices, 'api'>;
  crm: MirrorReadRepo;
  actions: ActionsService;
  ports: SequencePorts;
  exists: { template(accountId: number, id: number): boolean; agent(accountId: number, id: number): boolean };
};

export interface SequencesServices {
  sequences: SequencesService;
  /** A contact unsubscribed through the link in a sequence email: recorded, and the lead's enrollments stop. */
  unsubscribe(accountId: number, leadId: number, email: string): void;
}

/** Follow-up sequences: timed steps per lead as durable jobs, stop conditions on the bus, an unsubscribe link. */
export function sequencesModule(d: SequencesDeps): Module<SequencesServices> {
  const repo = createSequencesRepo(d.db);
  const sequences = createSequencesService({
    clock: d.clock,
    tx: d.tx,
    queue: d.queue,
    repo,
    crm: d.crm,
    activity: d.activity,
    audit: d.audit,
    exists: d.exists,
  });
  const tokens = unsubscribeTokens(d.env.ENCRYPTION_KEY);
  const runner = createSequenceRunner({
    clock: d.clock,
    tx: d.tx,
    groupTx: d.groupTx,
    bus: d.bus,
    repo,
    service: sequences,
    crm: d.crm,
    actions: d.actions,
    activity: d.activity,
    kommo: d.kommo,
    unsubscribe: { tokens, baseUrl: d.env.PUBLIC_URL },
    ports: d.ports,
  });
  subscribeSequenceStops(d.bus, { repo, service: sequences });
  subscribeDpEnrollment(d.bus, sequences);
  const unsubscribe = (accountId: number, leadId: number, email: string) =>
    d.tx(() => {
      repo.unsubscribe(accountId, email, leadId, d.clock.now());
      sequences.stopLead(accountId, leadId, undefined, 'unsubscribed', (name) => `Sequence "${name}" stopped: ${email} unsubscribed`);
      d.activity.write({
        accountId,
        leadId,
        type: 'sequence.unsubscribed',
        title: `${email} unsubscribed from follow-up emails`,
        metadata: { email },
        params: { email },
      });
    });
  return {
    name: 'sequences',
    services: { sequences, unsubscribe },
    routes: [sequencesRoutes(sequences, d.access), unsubscribeRoutes(tokens, unsubscribe)],
    jobs: sequencesJobs(runner),
  };
}
