import { describe, expect, it } from 'vitest';
import { dpRequest, dpRequestObject, encodeKommoForm } from '../../../test/fixtures/kommo-webhooks.js';
import { parseDpRequest } from './dp.js';

const acct = { id: 30000001, subdomain: 'acme' };

const expected = {
  accountId: 30000001,
  subdomain: 'acme',
  event: {
    type: 1,
    typeCode: 'lead_appeared_in_status',
    leadId: 10,
    elementType: 2,
    statusId: 30,
    pipelineId: 20,
    time: 1491300016,
    directionOfMovement: 'forward',
  },
};

const input = { lead_id: 10, status_id: 30, pipeline_id: 20, time: 1491300016, direction_of_movement: 'forward' };

describe('parseDpRequest', () => {
  it('parses the documented JSON body', () => {
    const { body, contentType } = dpRequest({ ...input, settings: { agent: 'sales', delay: 5, on: true } }, 'json', acct);
    expect(contentType).toBe('application/json');
    expect(parseDpRequest(body, contentType)).toEqual({
      ok: true,
      request: { ...expected, widgetSettings: { agent: 'sales', delay: 5, on: true } },
    });
  });

  it('parses the form-encoded body with the same result (settings as strings)', () => {
    const { body, contentType } = dpRequest({ ...input, settings: { agent: 'sales', delay: 5 } }, 'form', acct);
    expect(body).toContain('event%5Bdata%5D%5Bid%5D=10');
    expect(parseDpRequest(body, contentType)).toEqual({
      ok: true,
      request: { ...expected, widgetSettings: { agent: 'sales', delay: '5' } },
    });
  });

  it('accepts string numbers in JSON, PHP-style [] settings and a missing action', () => {
    const obj = dpRequestObject(input, acct) as Record<string, unknown>;
    const stringy = JSON.stringify({ ...obj, account_id: '30000001', action: { settings: { widget: { settings: [] } } } });
    const r = parseDpRequest(stringy, 'application/json; charset=utf-8');
    expect(r).toEqual({ ok: true, request: { ...expected, widgetSettings: {} } });
    const { action: _a, ...noAction } = obj;
    expect(parseDpRequest(JSON.stringify(noAction), 'application/json')).toMatchObject({ ok: true, request: { widgetSettings: {} } });
  });

  it('sniffs the body when the content type is missing or wrong', () => {
    const json = dpRequest(input, 'json', acct).body;
    const formBody = dpRequest(input, 'form', acct).body;
    expect(parseDpRequest(json).ok).toBe(true);
    expect(parseDpRequest(formBody).ok).toBe(true);
    expect(parseDpRequest(formBody, 'application/json').ok).toBe(true);
    expect(parseDpRequest(json, 'application/x-www-form-urlencoded').ok).toBe(true);
    expect(parseDpRequest(json, 'text/plain').ok).toBe(true);
  });

  it('accepts account[id]/account[subdomain] in place of account_id/subdomain', () => {
    const obj = dpRequestObject(input, acct) as Record<string, unknown>;
    const { account_id: _i, subdomain: _s, ...rest } = obj;
    const body = encodeKommoForm({ ...rest, account: { id: 30000001, subdomain: 'acme' } });
    expect(parseDpRequest(body, 'application/x-www-form-urlencoded')).toMatchObject({ ok: true, request: { accountId: 30000001, subdomain: 'acme' } });
  });

  it('returns errors naming the path', () => {
    const obj = dpRequestObject(input, acct) as { event: { data: Record<string, unknown> } } & Record<string, unknown>;
    const badId = { ...obj, event: { ...obj.event, data: { ...obj.event.data, id: 'abc' } } };
    expect(parseDpRequest(JSON.stringify(badId), 'application/json')).toEqual({ ok: false, error: 'event[data][id]: expected a number' });
    const { account_id: _drop, ...noAccount } = obj;
    expect(parseDpRequest(JSON.stringify(noAccount), 'application/json')).toEqual({ ok: false, error: 'account_id: is required' });
    expect(parseDpRequest(JSON.stringify({ ...obj, event: { ...obj.event, type_code: undefined } }), 'application/json')).toEqual({
      ok: false,
      error: 'event[type_code]: is required',
    });
    expect(parseDpRequest('event[data][id]=x&account_id=1&subdomain=a&event[type_code]=t', 'application/x-www-form-urlencoded')).toEqual({
      ok: false,
      error: 'event[data][id]: expected a number',
    });
  });

  it('returns errors for broken bodies and never throws', () => {
    expect(parseDpRequest('{"event":', 'application/json')).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) });
    expect(parseDpRequest('[1,2]', 'application/json')).toMatchObject({ ok: false });
    expect(parseDpRequest('null', 'application/json')).toMatchObject({ ok: false });
    expect(parseDpRequest('a=%zz', 'application/x-www-form-urlencoded')).toMatchObject({ ok: false, error: expect.stringMatching(/percent/) });
    expect(parseDpRequest(123 as unknown as string)).toEqual({ ok: false, error: 'body is not a string' });
    expect(parseDpRequest('x'.repeat(1_000_001))).toMatchObject({ ok: false });
  });

  it('drops prototype keys from JSON settings and never pollutes Object.prototype', () => {
    const obj = dpRequestObject(input, acct);
    const body = JSON.stringify(obj).replace('"settings":{}', '"settings":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"ok":"yes"}');
    const r = parseDpRequest(body, 'application/json');
    expect(r).toMatchObject({ ok: true, request: { widgetSettings: { ok: 'yes' } } });
    if (r.ok) {
      expect(Object.keys(r.request.widgetSettings)).toEqual(['ok']);
      const merged = Object.assign({}, r.request.widgetSettings) as Record<string, unknown>;
      expect(merged.polluted).toBeUndefined();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(
      parseDpRequest('account_id=1&subdomain=a&action[settings][widget][settings][__proto__][polluted]=1', 'application/x-www-form-urlencoded'),
    ).toMatchObject({
      ok: false,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
