import { describe, expect, it } from 'vitest';
import { inputOf, localErrors, newAgentInput, toggleAction } from '../../widget/src/admin/agent-form.js';
import { reloadOnConflict } from '../../widget/src/lcard/Drafts.js';
import { parseFields } from '../../widget/src/admin/Playground.js';
import { createApi, toApiError } from '../../widget/src/api.js';
import { salesbotHandlerUrl, salesbotSteps } from '../../widget/src/areas/salesbot.js';
import { createTranslate, labelOf } from '../../widget/src/i18n.js';
import { scheduleSummary } from '../../widget/src/ui/format.js';
import { fieldMessage } from '../../widget/src/ui/hooks.js';
import { readFileSync } from 'node:fs';
import type { AjaxOptions, KommoWidget } from '../../widget/src/kommo.js';

describe('api', () => {
  it('turns a problem+json jqXHR into an ApiError with field errors', () => {
    const err = toApiError({
      status: 422,
      responseText: JSON.stringify({
        title: 'Validation failed',
        detail: 'name: Required',
        code: 'VALIDATION_FAILED',
        requestId: 'r1',
        errors: [{ field: 'name', message: 'Required' }],
      }),
    });
    expect(err).toMatchObject({
      status: 422,
      code: 'VALIDATION_FAILED',
      detail: 'name: Required',
      requestId: 'r1',
      errors: [{ field: 'name', message: 'Required' }],
    });
  });

  it('calls a network failure NETWORK and keeps a plain error message', () => {
    expect(toApiError({ status: 0, responseText: '' }).code).toBe('NETWORK');
    expect(toApiError(new Error('boom'))).toMatchObject({ code: 'NETWORK', detail: 'boom' });
    expect(toApiError({ status: 502, responseText: '<html>Bad gateway</html>' }).code).toBe('HTTP_502');
  });

  it('sends every call through $authorizedAjax as JSON, with the query string in the URL', async () => {
    const calls: AjaxOptions[] = [];
    const self = {
      $authorizedAjax: (o: AjaxOptions) => {
        calls.push(o);
        return Promise.resolve({ items: [], nextCursor: null });
      },
    } as unknown as KommoWidget;
    const api = createApi(self, 'https://agent.example.com/');
    await api.activity({ limit: 20, cursor: 'abc', type: 'agent_reply' });
    await api.approveDraft(5, 'edited text');
    await api.putBinding({ pipelineId: 1, statusId: 2, agentId: null });
    expect(calls).toEqual([
      {
        url: 'https://agent.example.com/api/dashboard/updates?limit=20&cursor=abc&type=agent_reply',
        type: 'GET',
        data: undefined,
        contentType: 'application/json',
        dataType: 'json',
      },
      {
        url: 'https://agent.example.com/api/drafts/5/approve',
        type: 'POST',
        data: '{"text":"edited text"}',
        contentType: 'application/json',
        dataType: 'json',
      },
      {
        url: 'https://agent.example.com/api/bindings',
        type: 'PUT',
        data: '{"pipelineId":1,"statusId":2,"agentId":null}',
        contentType: 'application/json',
        dataType: 'json',
      },
    ]);
  });

  it('rejects with an ApiError when the host rejects', async () => {
    const self = {
      $authorizedAjax: () => Promise.reject({ status: 401, responseJSON: { code: 'UNAUTHORIZED', title: 'Unauthorized', detail: 'bad token' } }),
    } as unknown as KommoWidget;
    await expect(createApi(self, 'https://x.test').agents()).rejects.toMatchObject({ name: 'ApiError', status: 401, code: 'UNAUTHORIZED' });
  });
});

describe('i18n', () => {
  it('reads the locale Kommo loaded, falls back to English, fills placeholders', () => {
    const t = createTranslate({ i18n: (key: string) => (key === 'ui' ? { common: { retry: 'Reintentar' } } : undefined) });
    expect(t('common.retry')).toBe('Reintentar');
    expect(t('common.cancel')).toBe('Cancel');
    expect(t('lcard.stage', { name: 'Qualified' })).toBe('Stage: Qualified');
    expect(t('no.such.key')).toBe('no.such.key');
    expect(labelOf(t, 'action_type', 'brand_new_action')).toBe('Brand new action');
    expect(labelOf(t, 'activity.types', 'sync.completed')).toBe('Sync completed');
  });
});

describe('salesbot', () => {
  it('returns one widget_request step to the backend handler', () => {
    const steps = JSON.parse(salesbotSteps('handler_code', { agent_id: '7', message: '' }));
    expect(steps).toEqual([
      {
        question: [
          {
            handler: 'widget_request',
            params: { url: salesbotHandlerUrl(), data: { lead_id: '{{lead.id}}', contact_id: '{{contact.id}}', message: '{{message_text}}', agent_id: 7 } },
          },
        ],
        require: [],
      },
    ]);
    expect(salesbotHandlerUrl('https://a.example/', 's3cret')).toBe('https://a.example/salesbot/s3cret');
    expect(JSON.parse(salesbotSteps('other', {}))).toEqual([]);
  });
});

describe('agent form', () => {
  it('keeps "needs approval" a subset of "allowed"', () => {
    let input = { ...newAgentInput(), allowedActions: [], approvalRequired: [] } as ReturnType<typeof newAgentInput>;
    input = toggleAction(input, 'approvalRequired', 'move_to_stage');
    expect(input.allowedActions).toEqual(['move_to_stage']);
    input = toggleAction(input, 'allowedActions', 'move_to_stage');
    expect(input).toMatchObject({ allowedActions: [], approvalRequired: [] });
  });

  it('treats won/lost approvals as stage moves: they need "move to stage" allowed and go with it', () => {
    let input = { ...newAgentInput(), allowedActions: [], approvalRequired: [] } as ReturnType<typeof newAgentInput>;
    input = toggleAction(input, 'approvalRequired', 'move_to_lost');
    input = toggleAction(input, 'approvalRequired', 'add_note');
    expect(input).toMatchObject({ allowedActions: ['move_to_stage', 'add_note'], approvalRequired: ['add_note', 'move_to_lost'] });
    input = toggleAction(input, 'allowedActions', 'move_to_stage');
    expect(input).toMatchObject({ allowedActions: ['add_note'], approvalRequired: ['add_note'] });
  });

  it("speaks the backend's agent shape: enum tool-failure policy, reply limits, defaults for fields an old agent lacks", () => {
    const input = newAgentInput();
    expect(input.handoff.onToolFailure).toBe('handoff');
    expect(input).toMatchObject({ humanReplyPauseMinutes: 60, maxReplyChars: 1000, approvalRequired: ['move_to_won', 'move_to_lost'] });
    const stored = { ...input, name: 'A', id: 1, createdAt: 'x', updatedAt: 'y' } as Record<string, unknown>;
    delete stored.maxReplyChars;
    expect(inputOf(stored as never)).toEqual({ ...input, name: 'A' });
    expect(localErrors({ ...input, name: 'A', maxReplyChars: 20, humanReplyPauseMinutes: -1, replyDelaySec: 4000 })).toEqual({
      maxReplyChars: 'range_50_4000',
      humanReplyPauseMinutes: 'non_negative_integer',
      replyDelaySec: 'range_0_3600',
    });
  });

  it('reloads the panel when the backend answers 409 (already decided elsewhere), and still reports the error', () => {
    let reloads = 0;
    const onFail = reloadOnConflict(() => reloads++);
    expect(() => onFail({ status: 409, responseJSON: { code: 'CONFLICT', detail: 'A create task action cannot be undone' } })).toThrow('cannot be undone');
    expect(reloads).toBe(1);
    expect(() => onFail({ status: 502, responseJSON: { code: 'UPSTREAM_FAILED' } })).toThrow();
    expect(reloads).toBe(1);
  });

  it('flags bad values before the server sees them', () => {
    const input = {
      ...newAgentInput(),
      name: ' ',
      temperature: 3,
      workingHours: { timezone: 'UTC', schedule: { mon: [['18:00', '09:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } },
    } as ReturnType<typeof newAgentInput>;
    expect(localErrors(input)).toEqual({ name: 'required', temperature: 'range_0_2', 'workingHours.schedule.mon': 'bad_interval' });
  });

  it('parses test-lead fields', () => {
    expect(parseFields('BUDGET=12000\nCity = Lima\nnoise\n=x')).toEqual({ BUDGET: '12000', City: 'Lima' });
  });
});

describe('scheduleSummary', () => {
  it('names the days in the user language and joins consecutive days with the same hours', () => {
    const day: [string, string][] = [['09:00', '18:00']];
    const week = { mon: day, tue: day, wed: day, thu: day, fri: day, sat: [['10:00', '14:00']] as [string, string][], sun: [] };
    expect(scheduleSummary(week, 'en')).toBe('Mon–Fri 09:00–18:00, Sat 10:00–14:00');
    expect(scheduleSummary(week, 'es')).toMatch(/^lun–vie 09:00–18:00, sáb 10:00–14:00$/);
    expect(scheduleSummary({ ...week, wed: [], sat: [] }, 'en')).toBe('Mon–Tue 09:00–18:00, Thu–Fri 09:00–18:00');
    expect(scheduleSummary({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, 'en')).toBe('');
  });
});

describe('field errors from the server', () => {
  const translate = (lang: string) => {
    const file = JSON.parse(readFileSync(new URL(`../../widget/i18n/${lang}.json`, import.meta.url), 'utf8'));
    return createTranslate({ i18n: (key: string) => file[key], langs: undefined } as never);
  };
  /** Every code the rule and sequence checks give a refused field. */
  const CODES = [
    'pipeline_missing',
    'stage_missing',
    'field_missing',
    'user_missing',
    'template_missing',
    'sequence_missing',
    'agent_missing',
    'regex_invalid',
    'regex_unsafe',
    'cron_invalid',
    'url_https',
    'url_credentials',
    'url_private',
  ];
  it("are worded from their code in the user's language, with their values, else keep the server's text", () => {
    const ru = translate('ru');
    expect(fieldMessage(ru, { field: 'definition.actions.0.url', message: 'must be a public address', code: 'url_private', vars: { host: '127.0.0.1' } })).toBe(
      'Адрес должен быть публичным (127.0.0.1 — нет).',
    );
    expect(fieldMessage(translate('es'), { field: 'pipelineId', message: 'pipeline 5 does not exist', code: 'pipeline_missing', vars: { id: 5 } })).toBe(
      'Este embudo ya no existe en Kommo (#5).',
    );
    expect(fieldMessage(ru, { field: 'name', message: 'Required' })).toBe('Required');
    expect(fieldMessage(ru, { field: 'name', message: 'Server text', code: 'no_such_code' })).toBe('Server text');
    for (const lang of ['en', 'es', 'pt', 'ru']) {
      const t = translate(lang);
      for (const code of CODES) expect(t(`validation.server.${code}`), `${lang} ${code}`).not.toBe(`validation.server.${code}`);
    }
  });
});
