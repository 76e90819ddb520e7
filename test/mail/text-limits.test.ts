/**
 * Reading untrusted mail takes time proportional to its size, and only the first part of a huge body is
 * read. The bounds below are generous on purpose (a noisy shared machine): the quadratic versions these
 * replace took minutes on the same inputs (trimQuoted ~100 s for 200 KB of ">" lines; htmlToText ~25 s per
 * MB of unclosed <script>), so a bound of seconds tells the two apart without measuring performance.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { htmlToText, htmlToTextPart, MAX_HTML_TO_TEXT_CHARS, TEXT_PART_CUT } from '../../server/mail/compose.js';
import { MAX_TEXT_CHARS, parseEmail, trimQuoted } from '../../server/mail/parse.js';
import { clientEmail, startImapServer, type TestImap } from '../helpers/mail-servers.js';
import { startMailWorld, type MailWorld } from './mail-world.js';

const MB = 1024 * 1024;
/** ">" lines with one unquoted line at the very end: the old trimQuoted rescanned the rest of the mail from every line. */
const quotedMail = (bytes: number) => `${'> q\n'.repeat(Math.ceil(bytes / 4))}the end`;
/** An unclosed <script> full of tags: the old htmlToText's lazy /<script>[\s\S]*?<\/script>/ rescanned from every "<script". */
const unclosedScript = (bytes: number) => `<p>Hello</p>${'<script>a<b>x</b>'.repeat(Math.ceil(bytes / 17))}`;

const timed = <T>(fn: () => T): { value: T; ms: number } => {
  const t = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t };
};

describe('linear text processing of untrusted mail', () => {
  it('trimQuoted reads 1 MB of ">" lines in well under 2 s, and only the first MAX_TEXT_CHARS of it', () => {
    const input = quotedMail(MB);
    expect(input.length).toBeGreaterThan(MB);
    const { value, ms } = timed(() => trimQuoted(input));
    expect(ms).toBeLessThan(2000);
    // Inside the inspected part every line is quoted: nothing new is above it, so the text is kept (capped).
    expect(value.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(value.startsWith('> q')).toBe(true);
    // The answers stay what they were on ordinary mail.
    expect(trimQuoted(`Yes, deal.\n${'> q\n'.repeat(50_000)}`)).toBe('Yes, deal.');
    expect(trimQuoted(`> Can you do 10 seats?\nYes, we can.\n${'> q\n'.repeat(50_000)}`)).toBe('> Can you do 10 seats?\nYes, we can.');
  });

  it('htmlToText converts 1 MB of unclosed <script> in well under 2 s, drops the script, and records a cut past 1 MB', () => {
    const html = unclosedScript(MB);
    expect(html.length).toBeGreaterThanOrEqual(MB);
    const { value, ms } = timed(() => htmlToTextPart(html));
    expect(ms).toBeLessThan(2000);
    expect(value.text).toBe('Hello');
    expect(value.truncated).toBe(html.length > MAX_HTML_TO_TEXT_CHARS);
    // Twice as long: still cut at the cap, still fast, and the text part says the rest is in the HTML.
    const twice = timed(() => htmlToText(unclosedScript(2 * MB).replace('Hello', 'Start')));
    expect(twice.ms).toBeLessThan(2000);
    expect(twice.value.startsWith('Start')).toBe(true);
    expect(twice.value.endsWith(TEXT_PART_CUT)).toBe(true);
    // 200,000 nested elements do not exhaust the stack: what lies deeper than 100 levels is not converted.
    expect(htmlToText(`<p>Top</p>${'<div>'.repeat(200_000)}deep`)).not.toContain('deep');
  });

  it('parseEmail reads a 1 MB quoted email within its budget and caps the text it keeps', async () => {
    const raw = clientEmail({
      from: 'maria@client.test',
      to: 'sales@company.test',
      subject: 'Re: offer',
      messageId: '<big@client.test>',
      text: quotedMail(MB),
    });
    const t = performance.now();
    const email = await parseEmail(raw, { budgetMs: 5000 });
    expect(performance.now() - t).toBeLessThan(2000);
    expect(email.text.length).toBe(MAX_TEXT_CHARS);
    expect(email.truncated).toEqual({ text: true, html: false });
    // Past its budget the parse gives up with a reason (the IMAP reader counts it as a failed read).
    await expect(parseEmail(raw, { budgetMs: 1 })).rejects.toMatchObject({ name: 'MailParseError', reason: 'budget' });
  });
});

describe('/healthz while the IMAP watcher ingests an adversarial email', () => {
  let world: MailWorld | undefined;
  let imap: TestImap | undefined;
  afterEach(async () => {
    await world?.m.mail.services.watcher.stop();
    await imap?.stop();
    await world?.stop();
    world = imap = undefined;
  });

  it('keeps answering (every probe within 2 s) while a 1 MB ">"-line email is read, parsed and stored', async () => {
    world = await startMailWorld({ mailbox: false });
    const accountId = await world.install();
    imap = await startImapServer();
    const put = await world.api('PUT', '/api/mail/settings', {
      smtp: null,
      imap: { host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password },
    });
    expect(put.status).toBe(200);
    world.m.mail.services.watcher.start();
    await imap.deliver(
      clientEmail({ from: 'stranger@client.test', to: 'sales@company.test', subject: 'Quoted', messageId: '<quoted@client.test>', text: quotedMail(MB) }),
    );
    const stored = () => world!.count("SELECT count(*) n FROM conversation_messages WHERE account_id = ? AND external_id = '<quoted@client.test>'", accountId);

    const latencies: number[] = [];
    const deadline = Date.now() + 60_000;
    while (stored() === 0 && Date.now() < deadline) {
      const t = performance.now();
      const res = await world.app.request('/healthz');
      latencies.push(performance.now() - t);
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(stored()).toBe(1);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(2000);
    const row = world.p.sqlite.prepare("SELECT text, metadata FROM conversation_messages WHERE external_id = '<quoted@client.test>'").get() as {
      text: string;
      metadata: string;
    };
    expect(row.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(JSON.parse(row.metadata).truncated).toEqual({ text: true, html: false });
  }, 90_000);
});
