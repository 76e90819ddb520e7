/** Fault injection the tests switch on: latency, 5xx bursts, an HTML 403 block, token revocation/expiry. */
import { htmlPage, problem, type Reply } from './http-util.js';
import type { OAuthStore } from './oauth.js';

export class Faults {
  /** Added to every response. */
  latencyMs = 0;
  private fail5xxLeft = 0;
  private fail5xxStatus = 502;
  private blockedUntil = 0;

  constructor(private oauth: OAuthStore) {}

  /** Next `count` /api/v4 requests answer `status` (default 502, an nginx-style HTML page; 500 is a JSON problem). */
  fail5xx(count: number, status = 502): void {
    this.fail5xxLeft = count;
    this.fail5xxStatus = status;
  }

  /** /api/v4 answers 403 with an HTML page for `ms` milliseconds (real time). */
  block403(ms: number): void {
    this.blockedUntil = Date.now() + ms;
  }

  /** Every access and refresh token (and unused code) becomes invalid; refresh → "Token has been revoked". */
  revokeAllTokens(): void {
    this.oauth.revokeAll();
  }

  /** Access tokens become expired (401); refresh tokens still work. */
  expireAccessTokens(): void {
    this.oauth.expireAccess();
  }

  reset(): void {
    this.latencyMs = 0;
    this.fail5xxLeft = 0;
    this.fail5xxStatus = 502;
    this.blockedUntil = 0;
  }

  /** @internal the 403 block, if active. */
  blockReply(): Reply | null {
    return Date.now() < this.blockedUntil ? htmlPage(403, 'Forbidden') : null;
  }

  /** @internal consumes one 5xx, if armed. */
  failReply(): Reply | null {
    if (this.fail5xxLeft <= 0) return null;
    this.fail5xxLeft--;
    const s = this.fail5xxStatus;
    if (s === 500) return problem(500, 'Internal Server Error', 'Internal Server Error');
    const title: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };
    return htmlPage(s, title[s] ?? 'Server Error');
  }
}
