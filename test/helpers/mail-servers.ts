/**
 * Real mail servers on loopback for the email tests: an SMTP server (the `smtp-server` package) that
 * captures what it receives and can be told to refuse or to stall, and an IMAP server (imap-server.ts,
 * in-process; dovecot on request) that the app's imapflow client talks to over TCP.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { TestImap } from './imap-mailbox.js';
import { startInProcessImap } from './imap-server.js';

export type { TestImap };

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
  /** accepted: we answered 250; rejected: we answered an error; stalled: the client left while we held the reply. */
  status: 'accepted' | 'rejected' | 'stalled';
  parsed(): Promise<ParsedMail>;
}

type Refusal = { stage: 'rcpt' | 'data'; code: number; message: string };

export async function startSmtpServer(opts: { user?: string; password?: string } = {}) {
  const messages: CapturedMail[] = [];
  const refusals: Refusal[] = [];
  type Stall = { release: Promise<void>; resolve: () => void; reached: () => void };
  let stall: Stall | null = null;
  let rcptStall: Stall | null = null;
  const makeStall = () => {
    let resolve!: () => void;
    let reached!: () => void;
    const release = new Promise<void>((r) => (resolve = r));
    const reachedP = new Promise<void>((r) => (reached = r));
    return { stall: { release, resolve, reached }, reachedP };
  };
  const waiters: Array<() => void> = [];
  const refusal = (stage: Refusal['stage']) => {
    const i = refusals.findIndex((r) => r.stage === stage);
    if (i < 0) return null;
    const [r] = refusals.splice(i, 1);
    return Object.assign(new Error(r!.message), { responseCode: r!.code });
  };
  const server = new SMTPServer({
    authOptional: !opts.user,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.user && auth.password === opts.password) return cb(null, { user: auth.username });
      cb(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, cb) {
      const hold = rcptStall;
      if (!hold) return cb(refusal('rcpt'));
      hold.reached();
      void hold.release.then(() => {
        try {
          cb(refusal('rcpt'));
        } catch {
          /* the client is gone */
        }
      });
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const refused = refusal('data');
        const mail: CapturedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          status: refused ? 'rejected' : 'stalled',
          parsed: () => simpleParser(raw),
        };
        messages.push(mail);
        for (const w of waiters.splice(0)) w();
        if (refused) return cb(refused);
        const hold = stall;
        if (!hold) {
          mail.status = 'accepted';
          return cb();
        }
        hold.reached();
        void hold.release.then(() => {
          try {
            mail.status = 'accepted';
            cb();
          } catch {
            /* the client is gone */
          }
        });
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    url: opts.user ? `smtp://${encodeURIComponent(opts.user)}:${encodeURIComponent(opts.password ?? '')}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`,
    messages,
    /** Messages the server took (accepted, or held when the client vanished: a real MTA has queued those). */
    delivered: () => messages.filter((m) => m.status !== 'rejected'),
    /** Answer the next `times` RCPT TO (or end of DATA) with `code message`. */
    refuse(stage: Refusal['stage'], code: number, message: string, times = 1) {
      for (let i = 0; i < times; i++) refusals.push({ stage, code, message });
    },
    /** Hold the reply to the end of DATA until `release()`; `reached` resolves when a body has fully arrived. */
    stallData() {
      const s = makeStall();
      stall = s.stall;
      return {
        reached: s.reachedP,
        release: () => {
          stall = null;
          s.stall.resolve();
        },
      };
    },
    /** Hold the reply to RCPT TO (before any DATA) until `release()`. */
    stallRcpt() {
      const s = makeStall();
      rcptStall = s.stall;
      return {
        reached: s.reachedP,
        release: () => {
          rcptStall = null;
          s.stall.resolve();
        },
      };
    },
    waitForMessages(n: number, ms = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} messages (have ${messages.length})`)), ms);
        const check = () => (messages.length >= n ? (clearTimeout(t), resolve()) : waiters.push(check));
        check();
      });
    },
    close: () =>
      new Promise<void>((r) => {
        stall?.resolve();
        rcptStall?.resolve();
        server.close(() => r());
      }),
  };
}

export type TestSmtp = Awaited<ReturnType<typeof startSmtpServer>>;

/**
 * A real IMAP server on loopback with one mailbox user, INBOX and a \Sent folder named Sent. By default it
 * runs inside the test process (imap-server.ts); IMAP_CONFORMANCE=dovecot runs the same tests against dovecot.
 */
export async function startImapServer(user = 'agent@company.test', password = 'imap-secret'): Promise<TestImap> {
  const which = process.env.IMAP_CONFORMANCE;
  if (!which) return startInProcessImap(user, password);
  if (which === 'dovecot') return (await import('./imap-dovecot.js')).startDovecotImap(user, password);
  throw new Error(`IMAP_CONFORMANCE=${which}: only "dovecot" is known (unset it for the in-process server)`);
}

/** A client email as a mail program would write it. */
export function clientEmail(m: {
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  date?: Date;
}) {
  return [
    `From: Client <${m.from}>`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Message-ID: ${m.messageId}`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    ...(m.references?.length ? [`References: ${m.references.join(' ')}`] : []),
    `Date: ${(m.date ?? new Date()).toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    m.text.replace(/\n/g, '\r\n'),
    '',
  ].join('\r\n');
}

/** A delivery status notification as Postfix writes one: a human part, the DSN, and the returned headers. */
export function bounceReport(originalMessageId: string, to: string) {
  const b = 'dsn-boundary-1';
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.company.test>',
    'To: sales@company.test',
    'Subject: Undelivered Mail Returned to Sender',
    'Message-ID: <bounce-1@mx.company.test>',
    'Auto-Submitted: auto-replied',
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'I am sorry to have to inform you that your message could not be delivered.',
    `<${to}>: host mx.client.test said: 550 5.1.1 User unknown`,
    '',
    `--${b}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.company.test',
    '',
    `Final-Recipient: rfc822; ${to}`,
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
    '',
    `--${b}`,
    'Content-Type: text/rfc822-headers',
    '',
    'From: Acme Sales <sales@company.test>',
    `To: ${to}`,
    'Subject: Your quote',
    `Message-ID: ${originalMessageId}`,
    '',
    `--${b}--`,
    '',
  ].join('\r\n');
}
