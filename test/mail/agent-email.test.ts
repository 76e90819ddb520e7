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

/** The mailbox on loopback SMTP/IMAP servers, a lead whose contact is Maria, and the agent on its stage (email replies as `replyByEmail` says). */
async function mailWorld(binding: { replyByEmail?: boolean }) {
  smtp = await startSmtpServer({ user: 'sales@company.test', password: 'smtp-secret' });
  system = await startSmtpServer();
  // The mailbox servers run on loopback: the operator's switch allows that (self-hosting, tests).
  w = await startAgentWorld({ env: { SMTP_URL: system.url, MAIL_FROM: 'AI Agent <agent@company.test>', MAIL_ALLOW_PRIVATE_HOSTS: '1' } });
  const world = w;
  const leadId = leadInStage(world, 'Qualified');
  const field = [...world.sim.state.customFields.contacts.values()].find((f) => f.code === 'EMAIL')!;
  const contact = world.sim.addContact({
    name: 'Maria',
    custom_fields_values: [
      { field_id: field.id, field_code: 'EMAIL', field_name: field.name, values: [{ value: 'maria@client.test', enum_code: 'WORK' }] },
    ] as never,
  });
  world.sim.updateLead(leadId, { _embedded: { tags: [], companies: [], contacts: [{ id: contact.id, is_main: true }] } });
  await world.installAndSync();
  await agentOnStage(world, 'Qualified', {}, binding);
  imap = await startImapServer();
  // The reply goes out through the account's own mailbox, never the system SMTP.
  const put = await world.api('PUT', '/api/mail/settings', {
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'sales@company.test', password: 'smtp-secret' },
    fromAddress: 'sales@company.test',
    imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password },
  });
  expect(put.status).toBe(200);
  /** Maria writes; the watcher reads the mailbox once and the pipeline runs. */
  const mariaWrites = async () => {
    llm.reply({ content: 'Hello Maria, thanks for writing. Could we book a short demo this week?' });
    await imap!.deliver(
      clientEmail({
        from: 'maria@client.test',
        to: 'sales@company.test',
        subject: 'Pricing for 10 seats',
        messageId: '<p1@client.test>',
        text: 'How much for 10 seats?',
      }),
    );
    expect(await world.m.mail.services.watcher.pollOnce(world.accountId)).toBe(1);
    await world.drain();
  };
  const emailNotes = () => [...world.sim.state.notes.values()].filter((n) => n.entity_id === leadId && n.note_type === 'extended_service_message');
  return { world, leadId, mariaWrites, emailNotes };
}

describe('end to end: a client email answered by the agent', () => {
  it('IMAP → message_received → the agent pipeline → SMTP reply threaded under the client email → note in the lead', async () => {
    const t = await mailWorld({ replyByEmail: true });
    await t.mariaWrites();

    expect(llm.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(llm.requests[0].messages)).toContain('How much for 10 seats?');
    expect(smtp!.delivered()).toHaveLength(1);
    expect(system!.messages).toHaveLength(0);
    expect(smtp!.messages[0]!.to).toEqual(['maria@client.test']);
    const mail = await smtp!.messages[0]!.parsed();
    expect(mail.subject).toBe('Re: Pricing for 10 seats');
    expect(mail.inReplyTo).toBe('<p1@client.test>');
    expect(mail.references).toBe('<p1@client.test>');
    expect(mail.text).toContain('Could we book a short demo this week?');
    const notes = t.emailNotes();
    expect(notes).toHaveLength(1);
    expect(String(notes[0]!.params.text)).toContain('Subject: Re: Pricing for 10 seats');
    const bindings = (await t.world.api('GET', '/api/bindings')).body.items;
    expect(bindings).toEqual([expect.objectContaining({ statusId: t.world.stage('Qualified').id, replyByEmail: true })]);
  });

  it("with the stage's email switch off (the default), the autopilot's reply waits as a draft; a manager's approval sends it threaded", async () => {
    const t = await mailWorld({});
    await t.mariaWrites();

    expect(llm.requests.length).toBeGreaterThan(0);
    expect(smtp!.messages).toHaveLength(0);
    expect(t.emailNotes()).toHaveLength(0);
    const draft = JSON.parse(t.world.activity('agent.draft')[0].metadata);
    expect(draft.why).toBe("email replies are off for this lead's stage");
    const view = (await t.world.api('GET', `/api/leads/${t.leadId}/agent`)).body;
    expect(view.drafts).toHaveLength(1);
    expect((await t.world.api('POST', `/api/drafts/${view.drafts[0].id}/approve`, {})).status).toBe(200);
    await t.world.drain();
    expect(smtp!.delivered()).toHaveLength(1);
    const mail = await smtp!.messages[0]!.parsed();
    expect(mail.inReplyTo).toBe('<p1@client.test>');
    expect(t.emailNotes()).toHaveLength(1);
  });
});
