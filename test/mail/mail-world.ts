import { buildTestApp } from '../helpers/app.js';
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET } from '../helpers/env.js';
import { startSmtpServer } from '../helpers/mail-servers.js';
import { KommoSim, type SimOptions } from '../kommo-sim/index.js';

export const REDIRECT_URI = 'http://127.0.0.1:3999/oauth/callback';
export const SYSTEM_FROM = 'agent@company.test';

/**
 * The real app + the Kommo simulator + a real SMTP server, with a clock that runs in real time but can
 * jump ahead (so job backoff and the notification window pass without sleeping).
 */
export async function startMailWorld(opts: { seed?: SimOptions['seed']; env?: Record<string, string>; smtp?: boolean } = {}) {
  const smtp = await startSmtpServer();
  const sim = await KommoSim.start({ clientId: TEST_CLIENT_ID, clientSecret: TEST_CLIENT_SECRET, redirectUri: REDIRECT_URI, seed: opts.seed ?? { leads: 20, contacts: 10, users: 3 } });
  let offset = 0;
  const clock = { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
  const ctx = buildTestApp({
    env: { ...(opts.smtp === false ? {} : { SMTP_URL: smtp.url, MAIL_FROM: `AI Agent <${SYSTEM_FROM}>` }), ...opts.env },
    overrides: { clock },
  });
  async function install() {
    const code = sim.issueAuthCode();
    const res = await ctx.app.request(`/oauth/callback?code=${code}&referer=${sim.host}&from_widget=1&client_id=${TEST_CLIENT_ID}`);
    if (res.status !== 200) throw new Error(`install failed: ${res.status} ${await res.text()}`);
    await ctx.p.worker.drain();
    return sim.accountId;
  }
  /** An open lead (not won/lost) whose main contact has an email, from the simulator. */
  function leadWithContact() {
    for (const lead of sim.state.leads.values()) {
      if (lead.status_id === 142 || lead.status_id === 143) continue;
      const cid = lead._embedded?.contacts?.[0]?.id;
      const contact = cid ? sim.state.contacts.get(cid) : undefined;
      const email = contact?.custom_fields_values?.find((f) => f.field_code === 'EMAIL')?.values[0]?.value;
      if (contact && typeof email === 'string') return { lead, contact, email: email.toLowerCase() };
    }
    throw new Error('the simulator seed has no open lead with a contact email');
  }
  return {
    sim,
    smtp,
    ...ctx,
    clock,
    install,
    leadWithContact,
    drain: () => ctx.p.worker.drain(),
    /** Jump past any backoff or batch window, then run what became due. */
    async later(ms: number) {
      clock.advance(ms);
      return ctx.p.worker.drain();
    },
    outbox: (id: number) => ctx.p.sqlite.prepare('SELECT * FROM mail_outbox WHERE id = ?').get(id) as Record<string, any>,
    activity: (type: string) => ctx.p.sqlite.prepare('SELECT * FROM activity_logs WHERE type = ? ORDER BY id').all(type) as Record<string, any>[],
    async stop() {
      ctx.close();
      await sim.stop();
      await smtp.close();
    },
  };
}

export type MailWorld = Awaited<ReturnType<typeof startMailWorld>>;
