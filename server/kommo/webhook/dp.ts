/**
 * Digital Pipeline request (docs/kommo.md §6): Kommo calls the widget's `dp.webhook_url` when a stage trigger fires.
 *
 *   { event: { type, type_code, data: { id, element_type, status_id, pipeline_id, … }, time },
 *     action: { settings: { widget: { settings: {…} } } }, subdomain, account_id }
 *
 * Documented as JSON but seen form-encoded (`event[data][id]=…`): both are accepted. The content type picks
 * the decoder; when it is missing or contradicts the body (JSON declared, body not starting with `{`, or the
 * reverse) the body's first character decides. Not signed; retried up to 4 times in an hour.
 * Never throws.
 */
import type { z } from 'zod';
import { clip, isFormObject, parseBracketForm } from './form.js';
import { formToPlain } from './form-values.js';
import { check, compact, zInt, zObj, zOptInt, zOptStr, zStr } from './fields.js';
import { parseJsonSafe } from './safe-json.js';

export interface DpEvent {
  /** Numeric event type when numeric, else as sent. */
  type?: number | string;
  /** `lead_added`, `lead_status_changed`, `lead_appeared_in_status`, `mail_in`, `call_in`, `chat`, … */
  typeCode: string;
  /** `event.data.id` — the lead (or other element) the trigger fired for. */
  leadId: number;
  /** 2 = lead. */
  elementType?: number;
  statusId?: number;
  pipelineId?: number;
  /** Unix seconds. */
  time?: number;
  /** `event.data.direction_of_movement` when sent. */
  directionOfMovement?: string;
}

export interface DpRequest {
  accountId: number;
  subdomain: string;
  event: DpEvent;
  /** `action.settings.widget.settings` as plain data (`{}` when absent). */
  widgetSettings: Record<string, unknown>;
}

export type DpParseResult = { ok: true; request: DpRequest } | { ok: false; error: string };

/** A real DP request is a few hundred bytes; the route refuses more than 64 KB before reading it, this is the same bound. */
const MAX_DP_BODY = 64 * 1024;

/**
 * The DP action setting that carries the account's own Digital Pipeline token (manifest `dp.settings`;
 * the widget fills it in when the action is edited). Kommo sends it back in every request of that action.
 */
export const DP_TOKEN_SETTING = 'kai_dp_token';

/** The token a DP request carries (null when none), and the other settings without it. */
export function splitDpToken(settings: Record<string, unknown>): { token: string | null; rest: Record<string, unknown> } {
  const { [DP_TOKEN_SETTING]: raw, ...rest } = settings;
  const token = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : null;
  return { token, rest };
}

export const DpSchema = zObj({
  account_id: zInt,
  subdomain: zStr,
  event: zObj({
    type: zOptStr,
    type_code: zStr,
    time: zOptInt,
    data: zObj({
      id: zInt,
      element_type: zOptInt,
      status_id: zOptInt,
      pipeline_id: zOptInt,
      direction_of_movement: zOptStr,
    }),
  }),
});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (!isRecord(cur) || !Object.hasOwn(cur, p)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function decode(body: string, contentType: string | null | undefined): { ok: true; root: unknown; json: boolean } | { ok: false; error: string } {
  const ct = (contentType ?? '').toLowerCase();
  const looksJson = body.trimStart().startsWith('{');
  let useJson: boolean;
  if (ct.includes('json')) useJson = looksJson || !body.includes('=');
  else if (ct.includes('x-www-form-urlencoded')) useJson = looksJson;
  else useJson = looksJson;

  if (useJson) {
    const r = parseJsonSafe(body);
    if (!r.ok) return { ok: false, error: `body is not valid JSON: ${clip(r.error, 80)}` };
    if (!isRecord(r.value)) return { ok: false, error: 'body: expected a JSON object' };
    return { ok: true, root: r.value, json: true };
  }
  const f = parseBracketForm(body);
  if (!f.ok) return f;
  return { ok: true, root: f.value, json: false };
}

/** Parse a Digital Pipeline request body. `contentType` is the request's Content-Type header. Never throws. */
export function parseDpRequest(body: string, contentType?: string | null): DpParseResult {
  try {
    if (typeof body !== 'string') return { ok: false, error: 'body is not a string' };
    if (body.length > MAX_DP_BODY) return { ok: false, error: `body longer than ${MAX_DP_BODY} characters` };
    const d = decode(body, contentType);
    if (!d.ok) return d;
    const root = d.root;

    // `account_id`/`subdomain` at the top level as documented; `account[id]`/`account[subdomain]` accepted too.
    const normalized = {
      account_id: get(root, 'account_id') ?? get(root, 'account', 'id'),
      subdomain: get(root, 'subdomain') ?? get(root, 'account', 'subdomain'),
      event: get(root, 'event'),
    };
    const r = check(DpSchema, normalized, '');
    if (!r.ok) return r;
    const o: z.output<typeof DpSchema> = r.data;

    // PHP-made JSON sends an empty settings object as `[]`: anything but an object is `{}`.
    const settings = get(root, 'action', 'settings', 'widget', 'settings');
    let widgetSettings: Record<string, unknown> = {};
    if (d.json) {
      if (isRecord(settings)) widgetSettings = settings; // already rebuilt by sanitizeJson
    } else if (isFormObject(settings)) {
      widgetSettings = formToPlain(settings) as Record<string, unknown>;
    }

    const type = o.event.type?.trim();
    const event: DpEvent = compact({
      type: type === undefined || type === '' ? undefined : /^\d+$/.test(type) && Number.isSafeInteger(Number(type)) ? Number(type) : type,
      typeCode: o.event.type_code,
      leadId: o.event.data.id,
      elementType: o.event.data.element_type,
      statusId: o.event.data.status_id,
      pipelineId: o.event.data.pipeline_id,
      time: o.event.time,
      directionOfMovement: o.event.data.direction_of_movement,
    });
    return { ok: true, request: { accountId: o.account_id, subdomain: o.subdomain, event, widgetSettings } };
  } catch (e) {
    return { ok: false, error: `dp parse failed: ${clip(e instanceof Error ? e.message : String(e), 120)}` };
  }
}
