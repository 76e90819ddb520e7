import { isIP } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { NetGuard } from '../lib/net-guard.js';
import { createImapClient, type ImapConfig } from './imap.js';
import { SMTP_PORTS, type SmtpConfig } from './smtp.js';

/**
 * "Test connection" for a mailbox form: log in and leave, nothing sent. Errors are rethrown as they came;
 * the caller turns them into a category (mailErrorHint), never into what the server said.
 */
export async function smtpVerify(cfg: SmtpConfig, opts: { guard?: NetGuard | null; timeoutMs?: number } = {}): Promise<void> {
  const target = opts.guard ? await opts.guard.resolve(cfg.host, cfg.port, SMTP_PORTS) : null;
  const timeout = opts.timeoutMs ?? 15_000;
  const conn = new SMTPConnection({
    host: target?.address ?? cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    ...(target && !isIP(target.host) ? { tls: { servername: target.host } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
  });
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const done = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err) {
        conn.close();
        reject(err);
      } else {
        conn.quit();
        resolve();
      }
    };
    conn.on('error', done);
    conn.once('end', () => done(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' })));
    conn.connect((err) => {
      if (err) return done(err);
      if (!cfg.user) return done();
      conn.login({ user: cfg.user, pass: cfg.password ?? '' }, (e) => done(e ?? undefined));
    });
  });
}

/** Log in to IMAP and list the folders (path and special use), for the folder picker. */
export async function imapFolders(cfg: ImapConfig, opts: { guard?: NetGuard | null } = {}): Promise<{ path: string; specialUse: string | null }[]> {
  const client = await createImapClient(cfg, { guard: opts.guard, maxMessageBytes: 1024 * 1024 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const boxes = await client.list();
    return boxes
      .filter((b) => !b.flags?.has('\\Noselect'))
      .map((b) => ({ path: b.path, specialUse: b.specialUse || null }))
      .sort((a, b) => (a.path === 'INBOX' ? -1 : b.path === 'INBOX' ? 1 : a.path.localeCompare(b.path)));
  } finally {
    await client.logout().catch(() => undefined);
  }
}
