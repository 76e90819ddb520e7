import { agentsScenario } from './agents.js';
import { enrollmentsInChild } from './enrollments.js';
import { rulesInChild } from './rules.js';
import { fairnessScenario } from './fairness.js';
import type { Scenario } from './types.js';
import { syncScenario } from './sync.js';
import { webhookScenarios } from './webhooks.js';

/** Scenarios added by feature issues (sync, webhooks, reply pipeline, widget render). */
export const extraScenarios: Record<string, () => Promise<Scenario[]>> = {
  sync: () => syncScenario(),
  webhooks: () => webhookScenarios(),
  /** The ack path alone (≈ 20 s instead of minutes): `npm run bench -- webhooks-ingest`. */
  'webhooks-ingest': () => webhookScenarios(5, true),
  agents: () => agentsScenario(),
  fairness: () => fairnessScenario(),
  widget: () => import('./widget.js').then((m) => m.widgetScenario()),
  /** Time to the first AI reply through the real pipeline (issue: cost and quality in sight). */
  'first-reply': () => import('./first-reply.js').then((m) => m.firstReplyScenario()),
  rules: () => rulesInChild(),
  enrollments: () => enrollmentsInChild(),
};
