/**
 * Debian's dovecot as the IMAP server, for a conformance run only (IMAP_CONFORMANCE=dovecot): the default
 * is the in-process server (imap-server.ts). Started in the foreground with a throwaway config; needs
 * `apt-get install dovecot-imapd` and root (it drops to the dovecot user).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailboxHandle } from './imap-mailbox.js';

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
export async function startDovecotImap(user: string, password: string) {
  try {
    execFileSync('dovecot', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('IMAP_CONFORMANCE=dovecot needs dovecot: apt-get install -y dovecot-imapd');
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
  return mailboxHandle({ host: '127.0.0.1', port, secure: false, user, password }, async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  });
}
