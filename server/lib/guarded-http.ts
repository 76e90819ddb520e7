import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { type NetGuard, NetGuardError } from './net-guard.js';

export class GuardedHttpError extends Error {
  constructor(
    message: string,
    /** A timeout or a dropped connection: worth another try later. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'GuardedHttpError';
  }
}

export interface GuardedRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  guard: NetGuard;
  /** http:// too (only with the operator's private-host switch: self-hosting and tests). */
  allowHttp: boolean;
  timeoutMs: number;
  /** The response body is read up to this many bytes (the rest is dropped). */
  maxResponseBytes?: number;
}

/**
 * One HTTP request to a URL a user typed in: https only (unless allowed), the host resolved once and
 * checked by the guard (no loopback, private, link-local or metadata addresses) BEFORE any connection,
 * and the connection made to that checked address (a second DNS answer cannot slip past), with a timeout
 * and a capped response. Redirects are not followed.
 */
export async function guardedRequest(r: GuardedRequest): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    throw new NetGuardError('address', 'not a valid URL');
  }
  const https = url.protocol === 'https:';
  if (!https && !(r.allowHttp && url.protocol === 'http:')) throw new NetGuardError('address', 'only https:// URLs are allowed');
  if (url.username || url.password) throw new NetGuardError('address', 'URLs with credentials are not allowed');
  const port = url.port ? Number(url.port) : https ? 443 : 80;
  const pinned = await r.guard.resolve(url.hostname, port, [443]);
  const lookup: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all)
      (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: pinned.address, family: pinned.family }]);
    else cb(null, pinned.address, pinned.family);
  };
  const max = r.maxResponseBytes ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      {
        method: r.method,
        host: pinned.host,
        port,
        path: `${url.pathname}${url.search}`,
        headers: { ...(r.body !== undefined ? { 'content-length': String(Buffer.byteLength(r.body)) } : {}), ...r.headers },
        lookup,
        servername: https ? pinned.host : undefined,
        timeout: r.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < max) chunks.push(c.subarray(0, max - size));
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(new GuardedHttpError(`the response broke off: ${err.message}`, true)));
      },
    );
    const deadline = setTimeout(() => req.destroy(new GuardedHttpError(`no answer within ${r.timeoutMs} ms`, true)), r.timeoutMs);
    deadline.unref();
    req.on('timeout', () => req.destroy(new GuardedHttpError(`no answer within ${r.timeoutMs} ms`, true)));
    req.on('error', (err) => reject(err instanceof GuardedHttpError ? err : new GuardedHttpError(err.message, true)));
    req.on('close', () => clearTimeout(deadline));
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}
