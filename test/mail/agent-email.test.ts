import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentOnStage, fakeOpenAI, leadInStage, startAgentWorld, type AgentWorld } from '../agents/helpers.js';
import { clientEmail, startImapServer, startSmtpServer, type TestImap, type TestSmtp } from '../helpers/mail-servers.js';

const llm = fakeOpenAI();
beforeAll(() => llm.listen());
afterAll(() => llm.server.close());

let w: AgentWorld | undefined;
let smtp: TestSmtp | undefined;
let system: TestSmtp | undefined;
let imap: TestImap | undefined;
afterEach(async () => {
  llm.reset();
  await w?.stop();
  await smtp?.close();
  await system?.close();
  await imap?.stop();
  w = smtp = system = imap = undefined;
});

describe('end to end: a client email answered by the agent', () => {
  it('IMAP → message_received → the agent pipeline → SMTP reply threaded under the client email → note in the lead', async () => {
    smtp = await startSmtpServer({ user: 'sales@company.test', password: 'smtp-secret' });
    system = await startSmtpServer();
    // The mailbox servers run on loopback: the operator's switch allows that (self-hosting, tests).
    w = await startAgentWorld({ env: { SMTP_URL: system.url, MAIL_FROM: 'AI Agent <agent@company.test>', MAIL_ALLOW_PRIVATE_HOSTS: '1' } });
    const leadId = leadInStage(w, 'Qualified');
    const field = [...w.sim.state.customFields.contacts.values()].find((f) => f.code === 'EMAIL')!;
    const contact = w.sim.addContact({
      name: 'Maria',
      custom_fields_values: [
        { field_id: field.id, field_code: 'EMAIL', field_name: field.name, values: [{ value: 'maria@client.test', enum_code: 'WORK' }] },
      ] as never,
    });
    w.sim.updateLead(leadId, { _embedded: { tags: [], companies: [], contacts: [{ id: contact.id, is_main: true }] } });
    await w.installAndSync();
    await agentOnStage(w, 'Qualified');
    imap = await startImapServer();
    // The reply goes out through the account's own mailbox, never the system SMTP.
    const put = await w.api('PUT', '/api/mail/settings', {
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'sales@company.test', password: 'smtp-secret' },
      fromAddress: 'sales@company.test',
      imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password },
    });
    expect(put.status).toBe(200);

    llm.reply({ content: 'Hello Maria, thanks for writing. Could we book a short demo this week?' });
    await imap.deliver(
      clientEmail({
        from: 'maria@client.test',
        to: 'sales@company.test',
        subject: 'Pricing for 10 seats',
        messageId: '<p1@client.test>',
        text: 'How much for 10 seats?',
      }),
    );
    expect(await w.m.mail.services.watcher.pollOnce(w.accountId)).toBe(1);
    await w.drain();

    expect(llm.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(llm.requests[0].messages)).toContain('How much for 10 seats?');
    expect(smtp.delivered()).toHaveLength(1);
    expect(system.messages).toHaveLength(0);
    expect(smtp.messages[0]!.to).toEqual(['maria@client.test']);
    const mail = await smtp.messages[0]!.parsed();
    expect(mail.subject).toBe('Re: Pricing for 10 seats');
    expect(mail.inReplyTo).toBe('<p1@client.test>');
    expect(mail.references).toBe('<p1@client.test>');
    expect(mail.text).toContain('Could we book a short demo this week?');
    const notes = [...w.sim.state.notes.values()].filter((n) => n.entity_id === leadId && n.note_type === 'extended_service_message');
    expect(notes).toHaveLength(1);
    expect(String(notes[0]!.params.text)).toContain('Subject: Re: Pricing for 10 seats');
  });
});
