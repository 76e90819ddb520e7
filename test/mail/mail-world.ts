import { startWorld, type World } from '../helpers/world.js';
import type { SimOptions } from '../kommo-sim/index.js';

export { REDIRECT_URI, SYSTEM_FROM } from '../helpers/world.js';

/**
 * The email tests' world: the real app, the Kommo simulator, and a real SMTP server as the system
 * transport (unless `smtp: false`), with a clock that runs in real time but can jump ahead (so job
 * backoff and the notification window pass without sleeping).
 */
export async function startMailWorld(opts: { seed?: SimOptions['seed']; env?: Record<string, string>; smtp?: boolean } = {}) {
  const w = await startWorld({
    seed: opts.seed ?? { leads: 20, contacts: 10, users: 3 },
    smtp: true,
    env: { ...(opts.smtp === false ? { SMTP_URL: '', MAIL_FROM: '' } : {}), ...opts.env },
  });
  return Object.assign(w, {
    /** Install, then run the first sync and webhook registration. */
    install: () => w.installAndSync(),
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
  });
}

export type MailWorld = Awaited<ReturnType<typeof startMailWorld>> & World;
