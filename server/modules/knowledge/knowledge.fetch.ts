import { convert } from 'html-to-text';
import { guardedRequest } from '../../lib/guarded-http.js';
import { type NetGuard, NetGuardError } from '../../lib/net-guard.js';

export interface PageFetchOptions {
  guard: NetGuard;
  /** http:// too (the operator's private-host switch). */
  allowHttp: boolean;
  timeoutMs: number;
  maxBytes: number;
}

export class PageError extends Error {
  constructor(
    message: string,
    /** A timeout or a 5xx: the job tries again later. */
    readonly retryable: boolean,
    /** The catalogue text that says it (knowledge.texts.ts), and its figures. */
    readonly text: { key: 'pageStatus' | 'pageTooLarge' | 'pageType' | 'pageRedirects'; vars: Record<string, string | number> },
  ) {
    super(message);
    this.name = 'PageError';
  }
}

/** The guard refused a hop (the URL or a redirect): which host, and why. */
export class HopRefused extends Error {
  constructor(
    readonly host: string,
    readonly refusal: NetGuardError,
  ) {
    super(refusal.message);
    this.name = 'HopRefused';
  }
}

const MAX_REDIRECTS = 3;

/**
 * A web page as text: every hop (the URL and each redirect) goes through the guarded client, so each
 * host is resolved, checked and pinned before a connection is made. HTML is converted by html-to-text;
 * plain text is kept. Larger pages than `maxBytes` are refused, not cut.
 */
export async function fetchPage(rawUrl: string, o: PageFetchOptions): Promise<{ url: string; title: string | null; text: string }> {
  let url = rawUrl;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await guardedRequest({
      method: 'GET',
      url,
      headers: { accept: 'text/html, text/plain;q=0.9', 'user-agent': 'kommo-ai-agent-knowledge/1' },
      guard: o.guard,
      allowHttp: o.allowHttp,
      timeoutMs: o.timeoutMs,
      maxResponseBytes: o.maxBytes + 1,
    }).catch((err: unknown) => {
      if (err instanceof NetGuardError) throw new HopRefused(hostOf(url), err);
      throw err;
    });
    if (res.status >= 300 && res.status < 400 && typeof res.headers.location === 'string') {
      url = new URL(res.headers.location, url).href;
      continue;
    }
    if (res.status >= 500 || res.status === 429)
      throw new PageError(`the page answered ${res.status}`, true, { key: 'pageStatus', vars: { status: res.status } });
    if (res.status !== 200) throw new PageError(`the page answered ${res.status}`, false, { key: 'pageStatus', vars: { status: res.status } });
    const length = Number(res.headers['content-length'] ?? 0);
    if (length > o.maxBytes || Buffer.byteLength(res.body) > o.maxBytes)
      throw new PageError(`the page is larger than ${o.maxBytes} bytes`, false, { key: 'pageTooLarge', vars: { bytes: o.maxBytes } });
    const type = String(res.headers['content-type'] ?? 'text/html').toLowerCase();
    if (type.startsWith('text/plain')) return { url, title: null, text: res.body.trim() };
    if (!type.startsWith('text/html') && !type.startsWith('application/xhtml')) {
      const shown = type.split(';')[0]!.slice(0, 100);
      throw new PageError(`the page is ${shown}, not HTML or text`, false, { key: 'pageType', vars: { type: shown } });
    }
    return { url, title: htmlTitle(res.body), text: htmlToText(res.body) };
  }
  throw new PageError(`more than ${MAX_REDIRECTS} redirects`, false, { key: 'pageRedirects', vars: { n: MAX_REDIRECTS } });
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return url.slice(0, 100);
  }
}

function htmlTitle(html: string): string | null {
  const m = /<title[^>]*>([^<]{1,300})<\/title>/i.exec(html);
  const t = m?.[1] ? convert(m[1]).trim() : '';
  return t || null;
}

/** Page text without navigation, scripts, images or link targets: what a reader sees in the content. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'nav', format: 'skip' },
      { selector: 'footer', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  }).trim();
}
