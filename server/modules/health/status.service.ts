import { readFileSync } from 'node:fs';
import type { Env } from '../../env.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';

export type IntegrationState = 'ready' | 'missing' | 'default';

export interface Integration {
  key: 'kommo' | 'llm' | 'smtp' | 'publicUrl' | 'widgetHookSecret';
  name: string;
  state: IntegrationState;
  /** What it means, in a sentence: never a value, only whether it is set. */
  detail: string;
  /** The variables that configure it. */
  variables: string[];
}

export interface Status {
  name: string;
  version: string;
  uptimeSeconds: number;
  accounts: { connected: number };
  queue: { lagSeconds: number };
  integrations: Integration[];
  /** What to configure next, most important first. */
  next: { integration: Integration['key']; todo: string; variables: string[] }[];
}

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

/**
 * The operator's front page: what runs, what is configured and what to configure next. It reports
 * whether each setting is present, never its value, and no account's name.
 */
export function createStatusService(deps: { env: Env; clock: Clock; queue: JobQueue; connectedAccounts(): number }) {
  const startedAt = deps.clock.now();
  const { env } = deps;

  function integrations(): Integration[] {
    const kommo = Boolean(env.KOMMO_CLIENT_ID && env.KOMMO_CLIENT_SECRET && env.KOMMO_REDIRECT_URI);
    const publicUrlDefault = env.PUBLIC_URL === `http://localhost:${env.PORT}`;
    return [
      {
        key: 'kommo',
        name: 'Kommo credentials',
        state: kommo || env.KOMMO_LONG_LIVED_TOKEN ? 'ready' : 'missing',
        detail: kommo
          ? 'The integration can be installed from Kommo and verifies widget requests.'
          : env.KOMMO_LONG_LIVED_TOKEN
            ? 'A private integration with a long-lived token.'
            : 'Without them nobody can install the widget or call the API.',
        variables: ['KOMMO_CLIENT_ID', 'KOMMO_CLIENT_SECRET', 'KOMMO_REDIRECT_URI'],
      },
      {
        key: 'llm',
        name: 'Language model',
        state: env.OPENAI_API_KEY ? 'ready' : 'missing',
        detail: env.OPENAI_API_KEY ? `Agents answer with ${env.OPENAI_MODEL}.` : 'Agents cannot write replies until a model is configured.',
        variables: ['OPENAI_API_KEY', 'OPENAI_MODEL', 'OPENAI_BASE_URL'],
      },
      {
        key: 'smtp',
        name: 'System email (SMTP)',
        state: env.SMTP_URL && env.MAIL_FROM ? 'ready' : 'missing',
        detail: env.SMTP_URL && env.MAIL_FROM ? 'Notifications to Kommo users go out by email.' : 'Notification emails are off until a mail server is set.',
        variables: ['SMTP_URL', 'MAIL_FROM'],
      },
      {
        key: 'publicUrl',
        name: 'Public URL',
        state: publicUrlDefault ? 'default' : 'ready',
        detail: publicUrlDefault
          ? `Defaulted to ${env.PUBLIC_URL}: Kommo cannot send webhooks to it from the internet.`
          : `Kommo reaches this server at ${env.PUBLIC_URL}.`,
        variables: ['PUBLIC_URL'],
      },
      {
        key: 'widgetHookSecret',
        name: 'Widget hook secret',
        state: env.WIDGET_HOOK_SECRET ? 'ready' : 'missing',
        detail: env.WIDGET_HOOK_SECRET
          ? 'The widget archive can be built with its Salesbot and Digital Pipeline URLs.'
          : 'Needed to build the widget archive (its Salesbot and Digital Pipeline URLs).',
        variables: ['WIDGET_HOOK_SECRET'],
      },
    ];
  }

  return {
    status(): Status {
      const list = integrations();
      const todo: Record<Integration['key'], string> = {
        kommo: 'Register the integration in Kommo and set its id, secret and redirect URI',
        publicUrl: 'Set the address Kommo can reach this server at',
        llm: 'Give the agents a model',
        widgetHookSecret: 'Pick a secret for the widget hook URLs, then run npm run widget:zip',
        smtp: 'Set the mail server for notification emails',
      };
      const order: Integration['key'][] = ['kommo', 'publicUrl', 'llm', 'widgetHookSecret', 'smtp'];
      return {
        name: pkg.name,
        version: pkg.version,
        uptimeSeconds: Math.max(0, Math.round((deps.clock.now() - startedAt) / 1000)),
        accounts: { connected: deps.connectedAccounts() },
        queue: { lagSeconds: Math.round(deps.queue.lagMs() / 100) / 10 },
        integrations: list,
        next: order
          .map((k) => list.find((i) => i.key === k)!)
          .filter((i) => i.state !== 'ready')
          .map((i) => ({ integration: i.key, todo: todo[i.key], variables: i.variables })),
      };
    },
  };
}

export type StatusService = ReturnType<typeof createStatusService>;
