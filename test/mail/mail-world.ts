import { startSmtpServer, type TestSmtp } from '../helpers/mail-servers.js';
import { startWorld, type World } from '../helpers/world.js';
import type { SimOptions } from '../kommo-sim/index.js';

export { REDIRECT_URI, SYSTEM_FROM } from '../helpers/world.js';

/** The account's own mailbox in the email tests: client email goes out only through it. */
export const MAILBOX_FROM = 'sales@company.test';
export const MAILBOX_PASSWORD = 'smtp-secret';

/**
 * The email tests' world: the real app, the Kommo simulator, a real SMTP server as the system transport
 * (unless `smtp: false`), and a second one as the account's own mailbox (unless `mailbox: false`), which
 * `install()` configures through the API, as an admin would. Mailbox hosts are on loopback, so the world
 * sets MAIL_ALLOW_PRIVATE_HOSTS (the operator's switch for self-hosting). The clock runs in real time but
 * can jump ahead (so job backoff and the notification window pass without sleeping).
 */
export async function startMailWorld(opts: { seed?: SimOptions['seed']; env?: Record<string, string>; smtp?: boolean; mailbox?: boolean } = {}) {
  const w = await startWorld({
    seed: opts.seed ?? { leads: 20, contacts: 10, users: 3 },
    smtp: true,
    env: { MAIL_ALLOW_PRIVATE_HOSTS: '1', ...(opts.smtp === false ? { SMTP_URL: '', MAIL_FROM: '' } : {}), ...opts.env },
  });
  const mailbox: TestSmtp | null = opts.mailbox === false ? null : await startSmtpServer({ user: MAILBOX_FROM, password: MAILBOX_PASSWORD });
  const stop = w.stop;
  const mailboxSettings = () => ({
    smtp: { host: '127.0.0.1', port: mailbox!.port, secure: false, user: MAILBOX_FROM, password: MAILBOX_PASSWORD },
    fromName: 'Acme Sales',
    fromAddress: MAILBOX_FROM,
  });
  const ext = Object.assign(w, {
    /** The account's own SMTP server (client email); `smtp` stays the system one (notifications). */
    mailbox: null as unknown as TestSmtp,
    /** The mailbox settings install() saves (PUT /api/mail/settings). */
    mailboxSettings,
    /** Install, run the first sync and webhook registration, then connect the account's mailbox (unless `mailbox: false`). */
    async install() {
      const id = await w.installAndSync();
      if (mailbox) {
        const res = await w.api('PUT', '/api/mail/settings', mailboxSettings());
        if (res.status !== 200) throw new Error(`could not connect the mailbox: ${res.status} ${JSON.stringify(res.body)}`);
      }
      return id;
    },
    /** An open lead (not won/lost) whose main contact has an email, from the simulator. */
    leadWithContact() {
      for (const lead of w.sim.state.leads.values()) {
        if (lead.status_id === 142 || lead.status_id === 143) continue;
        const cid = lead._embedded?.contacts?.[0]?.id;
        const contact = cid ? w.sim.state.contacts.get(cid) : undefined;
        const email = contact?.custom_fields_values?.find((f) => f.field_code === 'EMAIL')?.values[0]?.value;
        if (contact && typeof email === 'string') return { lead, contact, email: email.toLowerCase() };
      }
      throw new Error('the simulator seed has no open lead with a contact email');
    },
    outbox: (id: number) => w.p.sqlite.prepare('SELECT * FROM mail_outbox WHERE id = ?').get(id) as Record<string, any>,
    async stop() {
      await stop();
      await mailbox?.close();
    },
  });
  // A getter (Object.assign would read it once): a world without a mailbox says so when a test reaches for it.
  Object.defineProperty(ext, 'mailbox', {
    get() {
      if (!mailbox) throw new Error('this world was started without an account mailbox (mailbox: false)');
      return mailbox;
    },
  });
  return ext;
}

export type MailWorld = Awaited<ReturnType<typeof startMailWorld>> & World;
