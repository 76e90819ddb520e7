import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { NetGuard } from '../lib/net-guard.js';

/** Ports a tenant's SMTP server on a public host may use: SMTP, submission over TLS, submission, and the common alternative. */
export const SMTP_PORTS: readonly number[] = [25, 465, 587, 2525];

export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string | null;
  password?: string | null;
}

export interface SmtpAccepted {
  response: string;
  accepted: string[];
  rejected: string[];
}

/**
 * Why a send failed, in the terms the outbox decides on:
 * - `responseCode` set: the server answered; it did not take the message (4xx: try again, 5xx: give up).
 * - no answer and `dataStarted`: the connection died while the body was going out or while we waited
 *   for the final reply. The server may have queued it: delivery is UNCERTAIN.
 * - no answer before DATA: the server never got the body; sending again is safe.
 */
export class SmtpSendError extends Error {
  constructor(
    message: string,
    readonly info: { code: string | null; responseCode: number | null; response: string | null; command: string | null; dataStarted: boolean },
  ) {
    super(message);
    this.name = 'SmtpSendError';
  }
  get permanent(): boolean {
    return this.info.responseCode !== null && this.info.responseCode >= 500;
  }
  get uncertain(): boolean {
    return this.info.responseCode === null && this.info.dataStarted;
  }
}

export interface SendHooks {
  /** Called synchronously when the server said 354 and the body starts to flow. */
  onDataStart?(): void;
  /** Called synchronously in the same tick as the server's 250 (keep the crash window small). */
  onAccepted?(info: SmtpAccepted): void;
}

/**
 * One SMTP transaction over nodemailer's SMTPConnection (not the pooled transport), because the
 * outbox needs to know the moment DATA starts: the body is a stream that is only read after the
 * server's 354, and its first read marks the row.
 *
 * With a `guard` (a tenant's mailbox), the host is resolved and checked first and the connection goes to
 * that address: a NetGuardError is thrown before anything is sent.
 */
export async function smtpSend(
  cfg: SmtpConfig,
  envelope: { from: string; to: string[] },
  raw: Buffer,
  hooks: SendHooks = {},
  opts: { timeoutMs?: number; clientName?: string; guard?: NetGuard | null } = {},
): Promise<SmtpAccepted> {
  // A tenant's server: resolved and checked once, then reached at that address (a NetGuardError before any connection).
  const target = opts.guard ? await opts.guard.resolve(cfg.host, cfg.port, SMTP_PORTS) : null;
  const conn = new SMTPConnection({
    host: target?.address ?? cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    // TLS still verifies the certificate against the name the tenant gave, not the pinned address.
    ...(target && !isIP(target.host) ? { tls: { servername: target.host } } : {}),
    name: opts.clientName,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: opts.timeoutMs ?? 60_000,
    logger: false,
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    let dataStarted = false;
    let envelopeRefused = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      conn.close();
      reject(toSendError(err, dataStarted));
    };
    conn.on('error', fail);
    conn.once('end', () => fail(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' })));

    const send = () => {
      let pushed = false;
      const body = new Readable({
        read() {
          if (pushed) return;
          pushed = true;
          if (!envelopeRefused && !settled) {
            dataStarted = true;
            hooks.onDataStart?.();
          }
          this.push(raw);
          this.push(null);
        },
      });
      conn.send({ from: envelope.from, to: envelope.to }, body, (err, info) => {
        if (err) {
          if (!dataStarted) envelopeRefused = true; // nodemailer drains the body into a sink: not a DATA start
          return fail(err);
        }
        if (settled) return;
        settled = true;
        const accepted = { response: info.response, accepted: info.accepted, rejected: info.rejected };
        let hookError: unknown = null;
        try {
          hooks.onAccepted?.(accepted);
        } catch (e) {
          hookError = e; // the server took it; recording failed. Not an SmtpSendError: never "safe to resend".
        }
        conn.quit();
        if (hookError) reject(hookError);
        else resolve(accepted);
      });
    };

    conn.connect((err) => {
      if (err) return fail(err);
      if (cfg.user) conn.login({ user: cfg.user, pass: cfg.password ?? '' }, (e) => (e ? fail(e) : send()));
      else send();
    });
  });
}

function toSendError(err: unknown, dataStarted: boolean): SmtpSendError {
  const e = (err ?? {}) as SMTPConnection.SMTPError;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const response = typeof e.response === 'string' ? e.response : null;
  const message = response ?? (err instanceof Error ? err.message : String(err));
  return new SmtpSendError(message, { code: e.code ?? null, responseCode, response, command: e.command ?? null, dataStarted });
}
