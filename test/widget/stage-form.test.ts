/**
 * The stage editor's save: which requests it sends, in which order, with which bodies — through the real API
 * client (`createApi`) over a recording `$authorizedAjax`, the way the units test checks the client.
 */
import { describe, expect, it } from 'vitest';
import { newAgentInput } from '../../widget/src/admin/agent-form.js';
import { type Agent, createApi, type KnowledgeSource, type StageSetup } from '../../widget/src/api.js';
import type { AjaxOptions, KommoWidget } from '../../widget/src/kommo.js';
import { initialForm, type SaveProgress, StageSaveError, saveStage } from '../../widget/src/stage/stage-form.js';

const AT = { pipelineId: 1, statusId: 10, name: 'Qualified' };
const empty: StageSetup = {
  pipelineId: 1,
  statusId: 10,
  name: 'Qualified',
  pipelineName: 'Sales',
  agent: null,
  onStageEnter: 'off',
  replyByEmail: false,
  quality: null,
  script: null,
  knowledge: { count: 0, items: [] },
  rules: [],
  sequences: [],
  leads: [],
};
const ava: Agent = { ...newAgentInput(), id: 7, name: 'Ava', createdAt: '', updatedAt: '' };
/** A progress listener that records what it is told. */
function listen() {
  const told: string[] = [];
  const progress: SaveProgress = {
    created: (a) => told.push(`created ${a.id}`),
    added: (e) => told.push(`added ${e.title}`),
    shared: (id) => told.push(`shared ${id}`),
  };
  return { told, progress };
}
const shared: KnowledgeSource = { id: 3, kind: 'text', title: 'Prices', content: 'x', createdAt: '', agentIds: [9] };

/** The API client over a fake Kommo that records each call and answers from `answer` (or fails it). */
function recorder(answer: (o: AjaxOptions) => unknown = (o) => (o.type === 'POST' && o.url.endsWith('/api/agents') ? ava : {})) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const self = {
    $authorizedAjax: (o: AjaxOptions) => {
      calls.push({ method: o.type, path: o.url.replace('https://x.test', ''), body: o.data === undefined ? undefined : JSON.parse(o.data as string) });
      try {
        return Promise.resolve(answer(o));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  } as unknown as KommoWidget;
  return { api: createApi(self, 'https://x.test'), calls };
}

describe('saveStage', () => {
  it('a new agent: create it → bind it → a script bound through the stage for any agent → add and share knowledge, in that order', async () => {
    const { api, calls } = recorder();
    const form = initialForm(empty, []);
    form.agent = { ...form.agent, name: 'Ava', instructions: 'Qualify.', mode: 'autopilot' };
    form.onStageEnter = 'greet';
    form.script = 'Hi {{lead.name}}';
    form.newEntries = [{ title: 'Plans', content: 'Basic: 10 USD' }];
    form.share = [3];
    const { told, progress } = listen();
    await expect(saveStage(api, AT, empty, form, [], [shared], [], progress)).resolves.toBe(7);
    expect(told).toEqual(['created 7', 'added Plans', 'shared 3']);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /api/agents',
      'PUT /api/bindings',
      'POST /api/scripts',
      'POST /api/agents/7/knowledge',
      'PATCH /api/knowledge/3',
    ]);
    // Only what the editor shows: the model, reply delay and the rest stay the server's defaults.
    expect(calls[0]!.body).toEqual({ name: 'Ava', instructions: 'Qualify.', mode: 'autopilot', temperature: 0.3, maxReplyChars: 1000 });
    expect(calls[1]!.body).toEqual({ pipelineId: 1, statusId: 10, agentId: 7, onStageEnter: 'greet', replyByEmail: false });
    expect(calls[2]!.body).toEqual({ agentId: null, name: 'Qualified', body: 'Hi {{lead.name}}', stages: [{ pipelineId: 1, statusId: 10 }] });
    expect(calls[3]!.body).toEqual({ kind: 'text', title: 'Plans', content: 'Basic: 10 USD' });
    expect(calls[4]!.body).toEqual({ agentIds: [9, 7] });
  });

  it('an unchanged stage sends nothing; a changed handoff patches only the actions; a changed script patches only its body', async () => {
    const setup: StageSetup = {
      ...empty,
      agent: { id: 7, name: 'Ava', mode: 'draft' },
      script: { id: 4, agentId: null, name: 'Qualified', body: 'Old', stages: [{ pipelineId: 1, statusId: 10 }] },
    };
    const same = recorder();
    await saveStage(same.api, AT, setup, initialForm(setup, [ava]), [ava], [], [], listen().progress);
    expect(same.calls).toEqual([]);

    const changed = recorder();
    const form = initialForm(setup, [ava]);
    form.agent = { ...form.agent, handoffAllowed: false };
    form.script = 'New';
    await saveStage(changed.api, AT, setup, form, [ava], [], [], listen().progress);
    expect(changed.calls).toEqual([
      { method: 'PATCH', path: '/api/agents/7', body: { allowedActions: ava.allowedActions.filter((a) => a !== 'handoff_to_human') } },
      { method: 'PATCH', path: '/api/scripts/4', body: { body: 'New' } },
    ]);
  });

  it('switching email replies on sends only the binding, with the switch', async () => {
    const setup: StageSetup = { ...empty, agent: { id: 7, name: 'Ava', mode: 'autopilot' } };
    const r = recorder();
    const form = initialForm(setup, [ava]);
    form.replyByEmail = true;
    await saveStage(r.api, AT, setup, form, [ava], [], [], listen().progress);
    expect(r.calls).toEqual([
      { method: 'PUT', path: '/api/bindings', body: { pipelineId: 1, statusId: 10, agentId: 7, onStageEnter: 'off', replyByEmail: true } },
    ]);
  });

  it("another agent's own script on the stage is left alone: the stage gets one for any agent", async () => {
    const setup: StageSetup = {
      ...empty,
      agent: { id: 7, name: 'Ava', mode: 'draft' },
      script: { id: 4, agentId: 99, name: 'Theirs', body: 'Theirs', stages: [] },
    };
    const { api, calls } = recorder();
    const form = { ...initialForm(setup, [ava]), script: 'Ours' };
    await saveStage(api, AT, setup, form, [ava], [], [], listen().progress);
    expect(calls).toEqual([
      { method: 'POST', path: '/api/scripts', body: { agentId: null, name: 'Qualified', body: 'Ours', stages: [{ pipelineId: 1, statusId: 10 }] } },
    ]);
  });

  it('a library script picked for the stage takes the stage from the script it had, and keeps its other stages', async () => {
    const setup: StageSetup = {
      ...empty,
      agent: { id: 7, name: 'Ava', mode: 'draft' },
      script: {
        id: 4,
        agentId: null,
        name: 'Old',
        body: 'Old',
        stages: [
          { pipelineId: 1, statusId: 10 },
          { pipelineId: 1, statusId: 11 },
        ],
      },
    };
    const library = { id: 5, agentId: null, name: 'Opener', body: 'Hi {{lead.name}}', stages: [{ pipelineId: 1, statusId: 12 }] };
    const { api, calls } = recorder();
    const form = { ...initialForm(setup, [ava]), libraryScriptId: 5, script: 'Hi {{lead.name}}' };
    await saveStage(api, AT, setup, form, [ava], [], [library], listen().progress);
    expect(calls).toEqual([
      { method: 'PATCH', path: '/api/scripts/4', body: { stages: [{ pipelineId: 1, statusId: 11 }] } },
      {
        method: 'PATCH',
        path: '/api/scripts/5',
        body: {
          stages: [
            { pipelineId: 1, statusId: 12 },
            { pipelineId: 1, statusId: 10 },
          ],
        },
      },
    ]);
  });

  it('a refused step is named, with the server’s field errors', async () => {
    const { api } = recorder((o) => {
      if (o.url.endsWith('/api/scripts'))
        throw {
          status: 422,
          responseJSON: { code: 'VALIDATION_FAILED', detail: 'Unknown variable', errors: [{ field: 'body', message: 'unknown variable {{x}}' }] },
        };
      return o.url.endsWith('/api/agents') ? ava : {};
    });
    const form = { ...initialForm(empty, []), script: '{{x}}' };
    form.agent.name = 'Ava';
    const { told, progress } = listen();
    const failure = await saveStage(api, AT, empty, form, [], [], [], progress).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StageSaveError);
    expect(failure).toMatchObject({ step: 'script', error: { status: 422, errors: [{ field: 'body', message: 'unknown variable {{x}}' }] } });
    // The agent was made before the script failed, and the caller was told, so a retry edits it instead.
    expect(told).toEqual(['created 7']);
  });

  it('stopped at the second entry: the first was reported saved, the second not, so a retry adds only the second', async () => {
    let n = 0;
    const { api } = recorder((o) => {
      if (o.url.endsWith('/knowledge') && ++n === 2) throw { status: 503, responseJSON: { code: 'UNAVAILABLE', detail: 'try later' } };
      return {};
    });
    const setup: StageSetup = { ...empty, agent: { id: 7, name: 'Ava', mode: 'draft' } };
    const form = initialForm(setup, [ava]);
    form.newEntries = [
      { title: 'One', content: '1' },
      { title: 'Two', content: '2' },
    ];
    const { told, progress } = listen();
    await expect(saveStage(api, AT, setup, form, [ava], [], [], progress)).rejects.toMatchObject({ step: 'knowledge', error: { status: 503 } });
    expect(told).toEqual(['added One']);
  });
});
