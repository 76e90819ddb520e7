import { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';

export interface InboundEmail {
  messageId: string | null;
  from: { address: string; name: string | null } | null;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  /** The text or HTML was longer than what is kept (MAX_TEXT_CHARS, MAX_HTML_CHARS) and was cut. */
  truncated: { text: boolean; html: boolean };
  inReplyTo: string | null;
  references: string[];
  date: Date | null;
  /** Auto-Submitted / bounce / list traffic: stored, never answered by an agent (no mail loops). */
  automated: boolean;
  /**
   * A delivery failure report (a bounce): the Message-IDs of the returned message it names, and the DSN status
   * code (`5.1.1`) when it has one. Null for any other email.
   */
  bounce: { messageIds: string[]; status: string | null } | null;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address?.toLowerCase()).filter((x): x is string => !!x));

const MSGID = /<[^<>\s]+>/g;
const ids = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => s.match(MSGID) ?? []).filter((id) => id.length <= 998);

/** An email that could not be read: malformed beyond what the parser accepts, or over its time budget. */
export class MailParseError extends Error {
  constructor(
    readonly reason: 'malformed' | 'budget',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailParseError';
  }
}

const CHUNK = 64 * 1024;

/**
 * Parse untrusted mail. The source is fed in chunks (the event loop runs between them), the parse has a
 * time budget, and the text and HTML it yields are capped (the cut is recorded in `truncated`). Call it
 * outside any transaction.
 */
export async function parseEmail(source: Buffer | string, opts: { budgetMs?: number } = {}): Promise<InboundEmail> {
  const buf = typeof source === 'string' ? Buffer.from(source) : source;
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += CHUNK) chunks.push(buf.subarray(i, i + CHUNK));
  const input = Readable.from(chunks);
  let timer: NodeJS.Timeout | undefined;
  let p: ParsedMail;
  try {
    p = await Promise.race([
      simpleParser(input, { skipImageLinks: true, skipTextToHtml: true, maxHtmlLengthToParse: MAX_HTML_CHARS }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          input.destroy();
          reject(new MailParseError('budget', `parsing took longer than ${opts.budgetMs} ms`));
        }, opts.budgetMs ?? 10_000);
      }),
    ]);
  } catch (err) {
    if (err instanceof MailParseError) throw err;
    throw new MailParseError('malformed', err instanceof Error ? err.message : String(err), { cause: err });
  } finally {
    if (timer) clearTimeout(timer);
  }
  const from = Array.isArray(p.from) ? p.from[0] : p.from;
  const first = from?.value[0];
  const autoSubmitted = String(p.headers.get('auto-submitted') ?? '').toLowerCase();
  const precedence = String(p.headers.get('precedence') ?? '').toLowerCase();
  const sender = first?.address?.toLowerCase() ?? '';
  const text = capText(p.text ?? '', MAX_TEXT_CHARS);
  const html = typeof p.html === 'string' ? capText(p.html, MAX_HTML_CHARS) : null;
  return {
    messageId: ids(p.messageId)[0] ?? null,
    from: first?.address ? { address: sender, name: first.name || null } : null,
    to: addresses(p.to),
    cc: addresses(p.cc),
    subject: (p.subject ?? '').replace(/[\r\n]+/g, ' ').slice(0, 998),
    text: text.text,
    html: html?.text ?? null,
    truncated: { text: text.truncated, html: html?.truncated ?? false },
    inReplyTo: ids(p.inReplyTo)[0] ?? null,
    references: ids(p.references).slice(0, 100),
    date: p.date ?? null,
    automated:
      (autoSubmitted !== '' && autoSubmitted !== 'no') ||
      ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence) ||
      /^(mailer-daemon|postmaster)@/.test(sender),
    bounce: bounceOf(p, sender),
  };
}

const HEADER_MSGID = /^message-id:\s*(<[^<>\s]+>)/gim;
const DSN_STATUS = /^status:\s*([245]\.\d{1,3}\.\d{1,3})/im;

/**
 * A bounce is a `multipart/report; report-type=delivery-status`, or mail from the mailer daemon. The returned
 * message is named by In-Reply-To/References or by the Message-ID line of its quoted headers (the
 * message/rfc822 or text/rfc822-headers part, else the text).
 */
function bounceOf(p: ParsedMail, sender: string): InboundEmail['bounce'] {
  const type = p.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const report = type?.value?.toLowerCase() === 'multipart/report' && type.params?.['report-type']?.toLowerCase() === 'delivery-status';
  if (!report && !/^(mailer-daemon|postmaster)@/.test(sender)) return null;
  const parts = (p.attachments ?? [])
    .filter((a) => /^(message\/(rfc822|delivery-status|global-delivery-status)|text\/rfc822-headers)$/i.test(a.contentType))
    .map((a) => a.content.toString('utf8', 0, Math.min(a.content.length, 256 * 1024)));
  const quoted = [...parts, p.text ?? ''].join('\n');
  const named = [...quoted.matchAll(HEADER_MSGID)].map((m) => m[1]!);
  const messageIds = [...new Set([...ids(p.inReplyTo), ...ids(p.references), ...named])].slice(0, 20);
  if (messageIds.length === 0) return null;
  return { messageIds, status: DSN_STATUS.exec(quoted)?.[1] ?? null };
}

/** How much of a text body is read (trimmed, stored as the message text): the rest is cut, and the cut recorded. */
export const MAX_TEXT_CHARS = 256 * 1024;
/** How much of an HTML body is kept or converted. */
export const MAX_HTML_CHARS = 1024 * 1024;

/** The first `max` characters of `s`, and whether anything was cut. */
export function capText(s: string, max: number): { text: string; truncated: boolean } {
  return s.length > max ? { text: s.slice(0, max), truncated: true } : { text: s, truncated: false };
}

const ORIGINAL_MESSAGE = /^-{2,}\s*original message\s*-{2,}$/i;
const RULE = /^_{10,}$/;
const ON_WROTE = /^on\b.{0,300}\bwrote:$/i;
const ON_START = /^on\b.{0,200}$/i;
const WROTE_END = /wrote:$/i;
const FROM = /^from:\s/i;
const SENT_OR_DATE = /^(sent|date):\s/i;

/**
 * The new part of a reply: everything above the quoted history ("On … wrote:", "-----Original
 * Message-----", Outlook's "From: … Sent: …" block, or a trailing run of "> " lines). The full body
 * is kept elsewhere; this is what an agent reads.
 *
 * One pass over the lines plus one backward pass (is everything from line i on quoted or blank?), so
 * the work grows with the length of the text: a mail of nothing but ">" lines costs what its size does.
 * Every pattern is anchored and bounded. Only the first MAX_TEXT_CHARS are inspected.
 */
export function trimQuoted(input: string): string {
  const text = capText(input, MAX_TEXT_CHARS).text;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const trimmed = lines.map((l) => l.trim());
  // quotedFrom[i]: every line from i to the end is blank or starts with ">".
  const quotedFrom = new Array<boolean>(trimmed.length + 1);
  quotedFrom[trimmed.length] = true;
  for (let i = trimmed.length - 1; i >= 0; i--) {
    const l = trimmed[i]!;
    quotedFrom[i] = quotedFrom[i + 1]! && (l === '' || l.startsWith('>'));
  }
  let end = lines.length;
  for (let i = 0; i < trimmed.length; i++) {
    const l = trimmed[i]!;
    const next = trimmed[i + 1] ?? '';
    if (
      ORIGINAL_MESSAGE.test(l) ||
      RULE.test(l) ||
      ON_WROTE.test(l) ||
      (ON_START.test(l) && WROTE_END.test(next)) ||
      (FROM.test(l) && SENT_OR_DATE.test(next)) ||
      (l.startsWith('>') && quotedFrom[i])
    ) {
      end = i;
      break;
    }
  }
  const kept = lines.slice(0, end).join('\n').trim();
  return kept || text.trim();
}
