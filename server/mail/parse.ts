import { simpleParser, type AddressObject } from 'mailparser';

export interface InboundEmail {
  messageId: string | null;
  from: { address: string; name: string | null } | null;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  inReplyTo: string | null;
  references: string[];
  date: Date | null;
  /** Auto-Submitted / bounce / list traffic: stored, never answered by an agent (no mail loops). */
  automated: boolean;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address?.toLowerCase()).filter((x): x is string => !!x));

const MSGID = /<[^<>\s]+>/g;
const ids = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => s.match(MSGID) ?? []);

export async function parseEmail(source: Buffer | string): Promise<InboundEmail> {
  const p = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  const from = Array.isArray(p.from) ? p.from[0] : p.from;
  const first = from?.value[0];
  const autoSubmitted = String(p.headers.get('auto-submitted') ?? '').toLowerCase();
  const precedence = String(p.headers.get('precedence') ?? '').toLowerCase();
  const sender = first?.address?.toLowerCase() ?? '';
  return {
    messageId: ids(p.messageId)[0] ?? null,
    from: first?.address ? { address: sender, name: first.name || null } : null,
    to: addresses(p.to),
    cc: addresses(p.cc),
    subject: (p.subject ?? '').replace(/[\r\n]+/g, ' '),
    text: p.text ?? '',
    html: typeof p.html === 'string' ? p.html : null,
    inReplyTo: ids(p.inReplyTo)[0] ?? null,
    references: ids(p.references),
    date: p.date ?? null,
    automated:
      (autoSubmitted !== '' && autoSubmitted !== 'no') ||
      ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence) ||
      /^(mailer-daemon|postmaster)@/.test(sender),
  };
}

/**
 * The new part of a reply: everything above the quoted history ("On … wrote:", "-----Original
 * Message-----", Outlook's "From: … Sent: …" block, or a trailing run of "> " lines). The full body
 * is kept elsewhere; this is what an agent reads.
 */
export function trimQuoted(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    const next = lines[i + 1]?.trim() ?? '';
    if (/^-{2,}\s*original message\s*-{2,}$/i.test(l) || /^_{10,}$/.test(l)) {
      end = i;
      break;
    }
    if (/^on\b.{0,300}\bwrote:$/i.test(l) || (/^on\b.{0,200}$/i.test(l) && /wrote:$/i.test(next))) {
      end = i;
      break;
    }
    if (/^from:\s/i.test(l) && /^(sent|date):\s/i.test(next)) {
      end = i;
      break;
    }
    if (l.startsWith('>')) {
      const rest = lines.slice(i).every((x) => x.trim() === '' || x.trim().startsWith('>'));
      if (rest) {
        end = i;
        break;
      }
    }
  }
  const kept = lines.slice(0, end).join('\n').trim();
  return kept || text.trim();
}
