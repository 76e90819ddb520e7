/**
 * Real mail servers on loopback for the email tests: an SMTP server (the `smtp-server` package) that
 * captures what it receives and can be told to refuse or to stall, and Debian's dovecot as a real IMAP
 * server (installed by .ci/run) started in the foreground with a throwaway config.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

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
      return { reached: s.reachedP, release: () => { stall = null; s.stall.resolve(); } };
    },
    /** Hold the reply to RCPT TO (before any DATA) until `release()`. */
    stallRcpt() {
      const s = makeStall();
      rcptStall = s.stall;
      return { reached: s.reachedP, release: () => { rcptStall = null; s.stall.resolve(); } };
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

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

async function waitForPort(port: number, ms: number, child: ChildProcess, log: () => string) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((r) => {
      const sock = connect(port, '127.0.0.1', () => (sock.end(), r(true)));
      sock.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on ${port}:\n${log()}`);
}

/** Dovecot (IMAP) in the foreground on a random loopback port, one mailbox user, a Sent folder. */
export async function startDovecot(user = 'agent@company.test', password = 'imap-secret') {
  try {
    execFileSync('dovecot', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd (.ci/run installs it)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'dovecot-'));
  chmodSync(dir, 0o755); // dovecot's unprivileged processes must reach the sockets inside
  const mail = join(dir, 'mail');
  mkdirSync(mail);
  chownSync(mail, Number(execFileSync('id', ['-u', 'dovecot'])), Number(execFileSync('id', ['-g', 'dovecot'])));
  const port = await freePort();
  writeFileSync(join(dir, 'users'), `${user}:{PLAIN}${password}\n`);
  writeFileSync(
    join(dir, 'dovecot.conf'),
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mail}/%u
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${mail}/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
}
`,
  );
  const child = spawn('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitForPort(port, 10_000, child, () => out);
  const cfg = { host: '127.0.0.1', port, secure: false, user, password };

  async function withClient<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    const c = new ImapFlow({ host: cfg.host, port, secure: false, auth: { user, pass: password }, logger: false, doSTARTTLS: false });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => undefined);
    }
  }

  return {
    ...cfg,
    /** Put a message into a folder, as if it had been delivered (INBOX) or filed by the provider (Sent). */
    deliver: (raw: string, mailbox = 'INBOX') => withClient((c) => c.append(mailbox, raw)),
    count: (mailbox = 'INBOX') => withClient(async (c) => (await c.status(mailbox, { messages: true })).messages ?? 0),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestImap = Awaited<ReturnType<typeof startDovecot>>;

/** A client email as a mail program would write it. */
export function clientEmail(m: { from: string; to: string; subject: string; text: string; messageId: string; inReplyTo?: string; references?: string[]; date?: Date }) {
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
