import type { Platform } from '../../platform.js';
import type { EmailTemplateRow } from '../../../db/schema/index.js';
import { htmlToText } from '../../mail/compose.js';
import { AppError, conflict, notFound } from '../../lib/errors.js';
import { renderTemplate } from '../../lib/template.js';
import type { MirrorReadRepo } from '../mirror/mirror-read.repo.js';
import { scriptVariableValues } from '../scripts/scripts.variables.js';
import { createTemplatesRepo, type TemplateFields } from './templates.repo.js';

export type TemplateValues = Record<string, string | number | null | undefined>;
type TemplateInput = { name: string; subject: string; html?: string | null; text?: string | null };

/**
 * Render an email template: the subject as one header line (values cannot break it), the HTML part
 * with values HTML-escaped, and always a plain-text part (the text template, else the HTML as text).
 */
export function renderEmail(t: Pick<EmailTemplateRow, 'subject' | 'html' | 'text'>, values: TemplateValues) {
  const oneLine: TemplateValues = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]+/g, ' ') : v]));
  const html = t.html ? renderTemplate(t.html, values, { escape: 'html' }) : null;
  const text = t.text ? renderTemplate(t.text, values) : htmlToText(html ?? '');
  return { subject: renderTemplate(t.subject, oneLine).trim(), html, text };
}

export function createEmailTemplates(deps: Pick<Platform, 'db' | 'clock'> & { crm: MirrorReadRepo }) {
  const { clock, crm } = deps;
  type Renderable = Pick<EmailTemplateRow, 'subject' | 'html' | 'text'>;
  /**
   * The lead's own values for the variables a template uses (the scripts' catalogue: lead.name, contact.name,
   * user.name, lead.cf.<field>…, plus lead.id), from the synced data. A lead not synced: `strict` refuses, else none.
   */
  const leadValues = (accountId: number, leadId: number | undefined, t: Renderable, strict: boolean): TemplateValues => {
    if (leadId === undefined) return {};
    const lead = crm.lead(accountId, leadId);
    if (!lead) {
      if (strict) throw notFound(`Lead ${leadId} (in the synced data)`);
      return { 'lead.id': leadId };
    }
    return { ...scriptVariableValues(crm, accountId, [t.subject, t.text ?? '', t.html ?? ''].join('\n'), { lead }), 'lead.id': leadId };
  };
  const repo = createTemplatesRepo(deps.db);
  const fields = (t: TemplateInput): TemplateFields => ({ name: t.name, subject: t.subject, html: t.html ?? null, text: t.text ?? null });
  const get = (accountId: number, id: number) => {
    const row = repo.get(accountId, id);
    if (!row) throw notFound(`Email template ${id}`);
    return row;
  };
  const check = (t: TemplateInput) => {
    if (!t.html?.trim() && !t.text?.trim())
      throw new AppError('VALIDATION_FAILED', 'A template needs html or text', { errors: [{ field: 'text', message: 'html or text is required' }] });
  };
  const unique = (fn: () => EmailTemplateRow, name: string) => {
    try {
      return fn();
    } catch (err) {
      if (String((err as Error).message).includes('UNIQUE')) throw conflict(`A template named "${name}" already exists`);
      throw err;
    }
  };
  return {
    list: (accountId: number) => repo.list(accountId),
    get,
    create(accountId: number, t: TemplateInput) {
      check(t);
      return unique(() => repo.insert(accountId, fields(t), clock.now()), t.name);
    },
    update(accountId: number, id: number, t: TemplateInput) {
      get(accountId, id);
      check(t);
      return unique(() => repo.update(accountId, id, fields(t), clock.now())!, t.name);
    },
    remove(accountId: number, id: number) {
      get(accountId, id);
      repo.remove(accountId, id);
    },
    /** Values given win over the lead's own. */
    render(accountId: number, id: number, values: TemplateValues, leadId?: number, opts: { strict?: boolean } = {}) {
      const t = get(accountId, id);
      return renderEmail(t, { ...leadValues(accountId, leadId, t, opts.strict ?? false), ...values });
    },
    /** The editor's preview of a template not saved yet. */
    renderDraft(accountId: number, t: Renderable, values: TemplateValues, leadId?: number) {
      return renderEmail(t, { ...leadValues(accountId, leadId, t, true), ...values });
    },
  };
}

export type EmailTemplates = ReturnType<typeof createEmailTemplates>;
