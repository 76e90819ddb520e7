import { compile } from 'html-to-text';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface ComposeInput {
  from: { name: string | null; address: string };
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  date: Date;
}

/** The RFC 5322 message, built once per attempt from the outbox row (same Message-ID every time). */
export function composeMessage(m: ComposeInput): Promise<Buffer> {
  const composer = new MailComposer({
    from: m.from.name ? { name: m.from.name, address: m.from.address } : m.from.address,
    to: m.to,
    cc: m.cc.length ? m.cc : undefined,
    subject: m.subject,
    text: m.text,
    html: m.html ?? undefined,
    messageId: m.messageId,
    inReplyTo: m.inReplyTo ?? undefined,
    references: m.references.length ? m.references : undefined,
    date: m.date,
  });
  return new Promise((resolve, reject) => composer.compile().build((err, buf) => (err ? reject(err) : resolve(buf))));
}

/** How much HTML is converted to text; the rest is cut (and `htmlToTextPart` says so). */
export const MAX_HTML_TO_TEXT_CHARS = 1024 * 1024;

const toText = compile({
  wordwrap: false,
  // A parser-based walk (htmlparser2): linear in the input, an unclosed <script> is one text node to skip.
  // Depth is bounded so a million nested <div>s cannot exhaust the stack.
  limits: { maxDepth: 100, maxInputLength: MAX_HTML_TO_TEXT_CHARS },
  selectors: [
    { selector: 'p', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
  ],
});

/** A plain-text part from HTML, and whether the HTML was longer than what is converted. */
export function htmlToTextPart(html: string): { text: string; truncated: boolean } {
  const truncated = html.length > MAX_HTML_TO_TEXT_CHARS;
  const input = truncated ? html.slice(0, MAX_HTML_TO_TEXT_CHARS) : html;
  const text = toText(input)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, truncated };
}

/** Ends a text part converted from HTML that was cut (the reader's text; English like the other server texts). */
export const TEXT_PART_CUT = '[…] The rest of this message is in its HTML version.';

/** A plain-text part from HTML when a caller gave only HTML: there is always a text part. */
export function htmlToText(html: string): string {
  const part = htmlToTextPart(html);
  return part.truncated ? `${part.text}\n\n${TEXT_PART_CUT}` : part.text;
}

/** "Re: " once, for replies. */
export function replySubject(subject: string): string {
  return /^\s*re\s*:/i.test(subject) ? subject : `Re: ${subject}`;
}
