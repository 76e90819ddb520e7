import { describe, expect, it } from 'vitest';
import { parseMailbox } from '../../server/mail/address.js';
import { parseEmail, trimQuoted } from '../../server/mail/parse.js';
import { clientEmail } from '../helpers/mail-servers.js';

describe('reading client email', () => {
  it.each([
    ['Gmail', 'Sounds good, send it.\n\nOn Tue, Jan 6, 2026 at 9:14 AM Acme Sales <sales@acme.test> wrote:\n> Here is the offer.\n> Best'],
    ['Gmail, wrapped', 'Sounds good, send it.\n\nOn Tue, Jan 6, 2026 at 9:14 AM Acme Sales\n<sales@acme.test> wrote:\n> Here is the offer.'],
    ['Outlook', 'Sounds good, send it.\n\nFrom: Acme Sales <sales@acme.test>\nSent: Tuesday, January 6, 2026 9:14 AM\nSubject: Offer\n\nHere is the offer.'],
    ['Original Message', 'Sounds good, send it.\n-----Original Message-----\nHere is the offer.'],
    ['quoted tail', 'Sounds good, send it.\n> Here is the offer.\n>\n> Best'],
  ])('keeps only the new part of a %s reply', (_name, body) => {
    expect(trimQuoted(body)).toBe('Sounds good, send it.');
  });

  it('keeps inline quotes that are answered below them, and never returns an empty text', () => {
    expect(trimQuoted('> Can you do 10 seats?\nYes, we can.')).toBe('> Can you do 10 seats?\nYes, we can.');
    expect(trimQuoted('> only a quote')).toBe('> only a quote');
  });

  it('parses threading headers, lower-cases the sender and flags automatic mail', async () => {
    const raw = clientEmail({
      from: 'Maria@Client.TEST',
      to: 'sales@acme.test',
      subject: 'Re: Offer',
      messageId: '<b@client.test>',
      inReplyTo: '<a@acme.test>',
      references: ['<z@acme.test>', '<a@acme.test>'],
      text: 'Yes',
    });
    const e = await parseEmail(raw);
    expect(e).toMatchObject({
      messageId: '<b@client.test>',
      from: { address: 'maria@client.test' },
      subject: 'Re: Offer',
      inReplyTo: '<a@acme.test>',
      references: ['<z@acme.test>', '<a@acme.test>'],
      automated: false,
    });
    expect((await parseEmail(raw.replace('MIME-Version', 'Auto-Submitted: auto-replied\r\nMIME-Version'))).automated).toBe(true);
  });

  it('reads MAIL_FROM in both forms', () => {
    expect(parseMailbox('AI Agent <Agent@Example.com>')).toEqual({ name: 'AI Agent', address: 'agent@example.com' });
    expect(parseMailbox('"Sales, Acme" <s@acme.test>')).toEqual({ name: 'Sales, Acme', address: 's@acme.test' });
    expect(parseMailbox('agent@example.com')).toEqual({ name: null, address: 'agent@example.com' });
    expect(parseMailbox('not an address')).toBeNull();
  });
});
