/**
 * The fake backend's rules, sequences and enrollments (server/modules/rules, server/modules/sequences):
 * the shapes the lead card reads, one account-wide rule, one stage rule and one sequence for Sales/Qualified.
 */
import type { AutomationRule, AutomationSequence, Enrollment, EnrollmentAction } from '../../widget/src/api.js';

export interface FakeAnswer {
  status: number;
  body: unknown;
}

export function fakeAutomation(now: number) {
  const at = new Date(now).toISOString();
  const rules: AutomationRule[] = [
    {
      id: 31,
      name: 'Tag hot leads',
      enabled: true,
      pipelineId: 1,
      statusId: 12,
      version: 2,
      definition: { trigger: { type: 'message_received' }, actions: [{ type: 'add_tags' }] },
    },
    {
      id: 32,
      name: 'Welcome every new lead',
      enabled: false,
      pipelineId: null,
      statusId: null,
      version: 1,
      definition: { trigger: { type: 'lead_created' }, actions: [{ type: 'add_note' }] },
    },
    {
      id: 33,
      name: 'Partners only',
      enabled: true,
      pipelineId: 2,
      statusId: null,
      version: 1,
      definition: { trigger: { type: 'stage_entered' }, actions: [{ type: 'add_note' }] },
    },
  ];
  const sequences: AutomationSequence[] = [
    {
      id: 41,
      name: 'Qualified follow-up',
      enabled: true,
      pipelineId: 1,
      statusId: 12,
      definition: { steps: [{ type: 'send_email' }, { type: 'wait' }, { type: 'agent_followup' }] },
    },
  ];
  const enrollments: Enrollment[] = [];
  let nextId = 900;

  const enroll = (leadId: number, sequenceId: number): FakeAnswer => {
    const seq = sequences.find((s) => s.id === sequenceId);
    if (!seq) return { status: 404, body: { code: 'NOT_FOUND', title: 'Not found', detail: `Sequence ${sequenceId} was not found` } };
    if (enrollments.some((e) => e.leadId === leadId && e.sequenceId === sequenceId && (e.status === 'active' || e.status === 'paused')))
      return { status: 409, body: { code: 'CONFLICT', title: 'Conflict', detail: `Cannot enroll: the lead is already in sequence "${seq.name}"` } };
    const e: Enrollment = {
      id: nextId++,
      sequenceId,
      sequenceName: seq.name,
      leadId,
      status: 'active',
      step: 0,
      steps: seq.definition.steps.length,
      nextStep: seq.definition.steps[0]?.type ?? null,
      nextRunAt: at,
      stopReason: null,
      createdAt: at,
    };
    enrollments.unshift(e);
    return { status: 201, body: e };
  };

  const control = (id: number, action: EnrollmentAction): FakeAnswer => {
    const e = enrollments.find((x) => x.id === id);
    if (!e) return { status: 404, body: { code: 'NOT_FOUND', title: 'Not found', detail: `Enrollment ${id} was not found` } };
    if (action === 'stop') Object.assign(e, { status: 'stopped', nextRunAt: null, stopReason: 'stopped_by_user' });
    else if (action === 'pause') Object.assign(e, { status: 'paused', nextRunAt: null });
    else Object.assign(e, { status: 'active', nextRunAt: at });
    return { status: 200, body: e };
  };

  /** The answer for an automation route, or null when the request is not one. */
  return (m: string, path: string, b: Record<string, unknown>): FakeAnswer | null => {
    let match: RegExpExecArray | null;
    if (m === 'GET' && path === '/api/rules') return { status: 200, body: { items: rules } };
    if (m === 'GET' && path === '/api/sequences') return { status: 200, body: { items: sequences } };
    if (m === 'PATCH' && (match = /^\/api\/(rules|sequences)\/(\d+)$/.exec(path))) {
      const list: { id: number; enabled: boolean }[] = match[1] === 'rules' ? rules : sequences;
      const item = list.find((x) => x.id === Number(match?.[2]));
      if (!item) return { status: 404, body: { code: 'NOT_FOUND', title: 'Not found', detail: `${path} was not found` } };
      item.enabled = b.enabled === true;
      return { status: 200, body: item };
    }
    if ((match = /^\/api\/leads\/(\d+)\/enrollments$/.exec(path))) {
      const leadId = Number(match[1]);
      if (m === 'GET') return { status: 200, body: { items: enrollments.filter((e) => e.leadId === leadId) } };
      if (m === 'POST') return enroll(leadId, Number(b.sequenceId));
    }
    if (m === 'POST' && (match = /^\/api\/enrollments\/(\d+)\/(pause|resume|stop)$/.exec(path))) return control(Number(match[1]), match[2] as EnrollmentAction);
    return null;
  };
}
