import type { ImapFlow } from 'imapflow';
import type { Platform } from '../../platform.js';
import { NetGuardError, type NetGuard } from '../../lib/net-guard.js';
import { mailErrorHint } from '../../mail/errors.js';
import { createImapClient } from '../../mail/imap.js';
import type { Inbound } from './inbound.service.js';
import { setImapError } from './settings.repo.js';
import type { MailSettings } from './settings.service.js';

interface Watch {
  /** The settings it was started with: a change (new password, other mailbox) restarts the watch. */
  key: string;
  client: ImapFlow | null;
  stopped: boolean;
  running: Promise<void>;
  kick: () => void;
}

/**
 * Watches each account's IMAP mailbox: IDLE while connected (imapflow enters it by itself and falls
 * back to NOOP polling when the server lacks IDLE), plus a poll timer as a safety net; reconnects with
 * backoff. `pollOnce` reads the mailbox once (tests, and a manual "check now").
 */
export function createMailWatcher(
  deps: Pick<Platform, 'db' | 'logger' | 'env'> & { settings: MailSettings; inbound: Inbound; guard: NetGuard },
  opts: { pollMs?: number; rescanMs?: number } = {},
) {
  const pollMs = opts.pollMs ?? 60_000;
  const watches = new Map<number, Watch>();
  const chains = new Map<number, Promise<unknown>>();
  let rescan: NodeJS.Timeout | null = null;

  /** One sync at a time per account (IDLE "exists", the poll timer and pollOnce may overlap). */
  function serial<T>(accountId: number, fn: () => Promise<T>): Promise<T> {
    const next = (chains.get(accountId) ?? Promise.resolve()).then(fn, fn);
    chains.set(
      accountId,
      next.catch(() => undefined),
    );
    return next;
  }

  async function withClient<T>(accountId: number, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    const cfg = deps.settings.imap(accountId);
    if (!cfg) throw new Error(`account ${accountId} has no IMAP mailbox configured`);
    const client = await createImapClient(cfg, clientOptions());
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => undefined);
    }
  }

  function pollOnce(accountId: number): Promise<number> {
    return serial(accountId, () => withClient(accountId, (c) => deps.inbound.syncMailbox(accountId, c)));
  }

  const clientOptions = (autoIdleDelay?: number) => ({ autoIdleDelay, guard: deps.guard, maxMessageBytes: deps.env.MAIL_IMAP_MAX_MESSAGE_BYTES });

  const keyOf = (accountId: number) => {
    const c = deps.settings.imap(accountId);
    return c ? JSON.stringify([c.host, c.port, c.secure, c.user, c.password, c.mailbox]) : null;
  };

  async function unwatch(accountId: number) {
    const w = watches.get(accountId);
    if (!w) return;
    watches.delete(accountId);
    w.stopped = true;
    w.kick();
    await w.client?.logout().catch(() => undefined);
    await w.running;
  }

  function watch(accountId: number) {
    const key = keyOf(accountId);
    if (watches.has(accountId) || key === null) return;
    let wake: () => void = () => undefined;
    const w: Watch = { key, client: null, stopped: false, running: Promise.resolve(), kick: () => wake() };
    watches.set(accountId, w);
    const sleep = (ms: number) =>
      new Promise<void>((r) => {
        wake = r;
        setTimeout(r, ms).unref();
      });
    /** One connection: connect, read, then IDLE/poll until it closes. 'refused': the guard refused the host. */
    async function session(cfg: NonNullable<ReturnType<MailSettings['imap']>>): Promise<'closed' | 'refused'> {
      let client: ImapFlow | null = null;
      try {
        const c = await createImapClient(cfg, clientOptions(1000));
        client = c;
        w.client = c;
        const closed = new Promise<void>((r) => c.once('close', () => r()));
        c.on('error', (err) => deps.logger.warn({ accountId, err: err.message }, 'IMAP connection error'));
        c.on(
          'exists',
          () =>
            void serial(accountId, () => deps.inbound.syncMailbox(accountId, c)).catch((err) =>
              deps.logger.warn({ accountId, err: String(err) }, 'IMAP sync failed'),
            ),
        );
        await c.connect();
        await c.mailboxOpen(cfg.mailbox ?? 'INBOX');
        failures = 0;
        while (!w.stopped && c.usable) {
          await serial(accountId, () => deps.inbound.syncMailbox(accountId, c));
          await Promise.race([closed, sleep(pollMs)]);
        }
        return 'closed';
      } catch (err) {
        // Stored and shown as a category only: what the server said is not echoed to the widget.
        setImapError(deps.db, accountId, mailErrorHint(err));
        // A host the guard refuses stays refused: stop until the settings change (the rescan restarts the watch then).
        if (err instanceof NetGuardError && err.reason !== 'unresolvable') {
          deps.logger.warn({ accountId, reason: err.reason }, 'IMAP host refused by the network guard; not watching');
          return 'refused';
        }
        failures++;
        deps.logger.warn({ accountId, err: err instanceof Error ? err.message : String(err) }, 'IMAP watch failed; reconnecting');
        return 'closed';
      } finally {
        w.client = null;
        const c = client;
        if (c) await c.logout().catch(() => c.close());
      }
    }
    let failures = 0;
    w.running = (async () => {
      while (!w.stopped) {
        const cfg = deps.settings.imap(accountId);
        if (!cfg) break;
        if ((await session(cfg)) === 'refused') break;
        if (!w.stopped) await sleep(Math.min(300_000, 1000 * 2 ** Math.min(failures, 8)));
      }
    })();
  }

  return {
    pollOnce,
    /** Start watching every account with IMAP settings; accounts configured later are picked up by the rescan. */
    start() {
      const scan = async () => {
        for (const [id, w] of watches) if (keyOf(id) !== w.key) await unwatch(id);
        for (const id of deps.settings.imapAccountIds()) watch(id);
      };
      const rescanNow = () => void scan().catch((err) => deps.logger.warn({ err: String(err) }, 'IMAP rescan failed'));
      if (rescan) clearInterval(rescan);
      rescanNow();
      rescan = setInterval(rescanNow, opts.rescanMs ?? 60_000);
      rescan.unref();
    },
    async stop() {
      if (rescan) clearInterval(rescan);
      rescan = null;
      await Promise.allSettled([...watches.keys()].map((id) => unwatch(id)));
    },
    watching: () => [...watches.keys()],
    /** Stop watching one account now (uninstall); the rescan does not restart it while it has no IMAP password. */
    stopAccount: (accountId: number) => unwatch(accountId),
  };
}

export type MailWatcher = ReturnType<typeof createMailWatcher>;
